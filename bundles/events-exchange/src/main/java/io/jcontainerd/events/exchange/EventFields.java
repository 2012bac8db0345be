package io.jcontainerd.events.exchange;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MapEntry;
import com.google.protobuf.Message;
import io.jcontainerd.events.Envelope;
import io.jcontainerd.filters.Adaptor;
import io.jcontainerd.types.TypedValue;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What subscription filters see of an envelope: {@code namespace}, {@code topic}, and
 * {@code event.<field>...} inside the payload, decoded by its type. As containerd's generated
 * {@code Field} methods, string fields, string maps (joined keys) and nested messages are visible;
 * numbers, booleans, timestamps and nested {@code Any}s are not.
 */
final class EventFields {
    private final Supplier<List<Descriptor>> files;
    private volatile Map<String, Descriptor> types;

    /**
     * Knows the payload types of the given files (any message of each file names its file). The
     * descriptors are built on the first filter that looks inside a payload, not at start-up.
     */
    EventFields(Supplier<List<Descriptor>> oneMessagePerFile) {
        this.files = oneMessagePerFile;
    }

    private Map<String, Descriptor> types() {
        Map<String, Descriptor> t = types;
        if (t == null) {
            t = new HashMap<>();
            for (Descriptor d : files.get()) {
                for (Descriptor m : d.getFile().getMessageTypes()) {
                    t.put(m.getFullName(), m);
                }
            }
            types = t;
        }
        return t;
    }

    /** An adaptor over one envelope; the payload is decoded at most once, when a filter asks. */
    Adaptor adaptor(Envelope envelope) {
        return new Adaptor() {
            private Message decoded;
            private boolean tried;

            @Override
            public String field(List<String> path) {
                if (path.isEmpty()) {
                    return null;
                }
                switch (path.get(0)) {
                    case "namespace":
                        return nonEmpty(envelope.namespace());
                    case "topic":
                        return nonEmpty(envelope.topic());
                    case "event":
                        if (!tried) {
                            tried = true;
                            decoded = decode(envelope.event());
                        }
                        return decoded == null ? null : walk(decoded, path.subList(1, path.size()));
                    default:
                        return null;
                }
            }
        };
    }

    private Message decode(TypedValue event) {
        if (event == null) {
            return null;
        }
        String name = event.typeUrl();
        int slash = name.lastIndexOf('/');
        Descriptor d = types().get(slash >= 0 ? name.substring(slash + 1) : name);
        if (d == null) {
            return null;
        }
        try {
            return DynamicMessage.parseFrom(d, event.value());
        } catch (InvalidProtocolBufferException e) {
            return null;
        }
    }

    static String walk(Message m, List<String> path) {
        if (path.isEmpty()) {
            return null;
        }
        FieldDescriptor f = m.getDescriptorForType().findFieldByName(path.get(0));
        if (f == null) {
            return null;
        }
        if (f.isMapField()) {
            String key = String.join(".", path.subList(1, path.size()));
            for (Object o : (List<?>) m.getField(f)) {
                Message entry = (Message) o;
                Object k = entry instanceof MapEntry<?, ?> me ? me.getKey() : entry.getField(entry.getDescriptorForType().findFieldByNumber(1));
                Object v = entry instanceof MapEntry<?, ?> me ? me.getValue() : entry.getField(entry.getDescriptorForType().findFieldByNumber(2));
                if (key.equals(k) && v instanceof String s) {
                    return s;
                }
            }
            return null;
        }
        if (f.isRepeated()) {
            return null;
        }
        if (f.getJavaType() == FieldDescriptor.JavaType.STRING) {
            return nonEmpty((String) m.getField(f));
        }
        if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE
                && !f.getMessageType().getFullName().equals("google.protobuf.Any") && m.hasField(f)) {
            return walk((Message) m.getField(f), path.subList(1, path.size()));
        }
        return null;
    }

    private static String nonEmpty(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
