package io.jcontainerd.gc.scheduler;

import io.jcontainerd.content.BlobStore;
import io.jcontainerd.gc.GarbageCollector;
import io.jcontainerd.metadata.MetadataStore;
import io.jcontainerd.metadata.MutationListener;
import io.jcontainerd.plugin.GoDuration;
import io.jcontainerd.plugin.Plugin;
import io.jcontainerd.plugin.PluginType;
import io.jcontainerd.snapshots.Snapshots;
import java.time.Clock;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The {@code io.containerd.gc.v1.scheduler} plugin: collects garbage after deletions in the metadata
 * store and on request. Configured as containerd's: {@code pause_threshold}, {@code deletion_threshold},
 * {@code mutation_threshold} (accepted; only deletions schedule here), {@code schedule_delay},
 * {@code startup_delay}.
 */
@Component(name = "io.containerd.gc.v1.scheduler", enabled = false, immediate = true,
        service = {GarbageCollector.class, MutationListener.class})
@Plugin(type = PluginType.GC, id = "scheduler")
@Designate(ocd = GcSchedulerPlugin.Config.class)
public class GcSchedulerPlugin implements GarbageCollector, MutationListener {

    @ObjectClassDefinition(name = "jcontainerd gc scheduler", description = "io.containerd.gc.v1.scheduler")
    public @interface Config {
        @AttributeDefinition(description = "Largest share of time collections may take")
        double pause__threshold() default 0.02;

        @AttributeDefinition(description = "Deletions before a collection is scheduled (0: any)")
        int deletion__threshold() default 0;

        @AttributeDefinition(description = "Accepted for containerd compatibility")
        int mutation__threshold() default 100;

        @AttributeDefinition(description = "Delay before a scheduled collection (Go duration)")
        String schedule__delay() default "0s";

        @AttributeDefinition(description = "Delay of the first collection after start (Go duration)")
        String startup__delay() default "100ms";
    }

    private volatile Snapshots snapshots;
    private volatile BlobStore blobs;
    private final Scheduler scheduler;

    @Activate
    public GcSchedulerPlugin(
            @Reference(target = "(plugin.type=" + PluginType.METADATA + ")") MetadataStore metadata,
            Config config) {
        Collector collector = new Collector(metadata, () -> blobs, () -> snapshots,
                Clock.systemUTC());
        scheduler = new Scheduler(collector::collect, new Scheduler.Settings(config.pause__threshold(),
                config.deletion__threshold(), GoDuration.parse(config.schedule__delay()),
                GoDuration.parse(config.startup__delay())));
    }

    // the content store and the snapshots service are reached without plugin.type targets, so that the
    // plugin list shows what containerd's does: the scheduler requires the metadata plugin only
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void setBlobs(BlobStore store) {
        this.blobs = store;
    }

    void unsetBlobs(BlobStore store) {
        if (this.blobs == store) {
            this.blobs = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void setSnapshots(Snapshots service) {
        this.snapshots = service;
    }

    void unsetSnapshots(Snapshots service) {
        if (this.snapshots == service) {
            this.snapshots = null;
        }
    }

    @Deactivate
    void deactivate() {
        scheduler.close();
    }

    @Override
    public void collect() {
        scheduler.collectNow();
    }

    @Override
    public void deleted() {
        scheduler.deleted();
    }
}
