package io.jcontainerd.events.exchange;

import io.jcontainerd.events.Envelope;
import io.jcontainerd.events.EventForwarder;
import io.jcontainerd.events.EventPublisher;
import io.jcontainerd.events.EventSubscriber;
import io.jcontainerd.events.Subscription;
import io.jcontainerd.plugin.Plugin;
import io.jcontainerd.plugin.PluginType;
import io.jcontainerd.types.TypedValue;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The {@code io.containerd.event.v1.exchange} plugin, published under its three roles. Configured by
 * {@code [plugins."io.containerd.event.v1.exchange"] subscriber_buffer = N}.
 */
@Component(name = "io.containerd.event.v1.exchange", enabled = false, immediate = true,
        service = {EventPublisher.class, EventForwarder.class, EventSubscriber.class})
@Plugin(type = PluginType.EVENT, id = "exchange")
@Designate(ocd = ExchangePlugin.Config.class)
public class ExchangePlugin implements EventPublisher, EventForwarder, EventSubscriber {

    @ObjectClassDefinition(name = "jcontainerd event exchange", description = "io.containerd.event.v1.exchange")
    public @interface Config {
        @AttributeDefinition(description = "Envelopes queued per subscriber before a subscriber that does not "
                + "keep up is dropped")
        int subscriber__buffer() default 10_000;
    }

    private final Exchange exchange;

    @Activate
    public ExchangePlugin(Config config) {
        this.exchange = new Exchange(new EventFields(() -> List.of(
                containerd.events.ContainerCreate.getDescriptor(),
                containerd.events.NamespaceCreate.getDescriptor(),
                containerd.events.ContentDelete.getDescriptor(),
                containerd.events.SnapshotPrepare.getDescriptor(),
                containerd.events.TaskCreate.getDescriptor(),
                containerd.services.images.v1.ImageCreate.getDescriptor())), config.subscriber__buffer());
    }

    @Deactivate
    void deactivate() {
        exchange.close();
    }

    @Override
    public void publish(String namespace, String topic, TypedValue event) {
        exchange.publish(namespace, topic, event);
    }

    @Override
    public void forward(Envelope envelope) {
        exchange.forward(envelope);
    }

    @Override
    public Subscription subscribe(List<String> filters, Runnable listener) {
        return exchange.subscribe(filters, listener);
    }
}
