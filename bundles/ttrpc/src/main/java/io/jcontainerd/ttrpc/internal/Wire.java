package io.jcontainerd.ttrpc.internal;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The two envelopes ttrpc carries in its frames, encoded by hand (they are tiny and not part of any
 * published .proto that Debian ships):
 * <pre>
 * message Request  { string service = 1; string method = 2; bytes payload = 3; int64 timeout_nano = 4;
 *                    repeated KeyValue metadata = 5; }
 * message KeyValue { string key = 1; string value = 2; }
 * message Response { google.rpc.Status status = 1; bytes payload = 2; }
 * message google.rpc.Status { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3; }
 * </pre>
 * Unknown fields are skipped on decoding; status details are not kept.
 */
public final class Wire {
    private Wire() {
    }

    /** A decoded {@code ttrpc.Request}; metadata in wire order, keys as sent. */
    public record Request(String service, String method, byte[] payload, long timeoutNano,
            List<Map.Entry<String, String>> metadata) {
    }

    /** A decoded {@code ttrpc.Response}: {@code code} 0 (and an empty message) when it carried no status. */
    public record Response(int code, String message, byte[] payload) {
    }

    public static byte[] encodeRequest(Request r) {
        try {
            int size = 0;
            if (!r.service().isEmpty()) {
                size += CodedOutputStream.computeStringSize(1, r.service());
            }
            if (!r.method().isEmpty()) {
                size += CodedOutputStream.computeStringSize(2, r.method());
            }
            if (r.payload().length > 0) {
                size += CodedOutputStream.computeByteArraySize(3, r.payload());
            }
            if (r.timeoutNano() != 0) {
                size += CodedOutputStream.computeInt64Size(4, r.timeoutNano());
            }
            int[] kvSizes = new int[r.metadata().size()];
            for (int i = 0; i < kvSizes.length; i++) {
                Map.Entry<String, String> kv = r.metadata().get(i);
                kvSizes[i] = stringSizeIfSet(1, kv.getKey()) + stringSizeIfSet(2, kv.getValue());
                size += CodedOutputStream.computeTagSize(5) + CodedOutputStream.computeUInt32SizeNoTag(kvSizes[i])
                        + kvSizes[i];
            }
            byte[] out = new byte[size];
            CodedOutputStream o = CodedOutputStream.newInstance(out);
            if (!r.service().isEmpty()) {
                o.writeString(1, r.service());
            }
            if (!r.method().isEmpty()) {
                o.writeString(2, r.method());
            }
            if (r.payload().length > 0) {
                o.writeByteArray(3, r.payload());
            }
            if (r.timeoutNano() != 0) {
                o.writeInt64(4, r.timeoutNano());
            }
            for (int i = 0; i < kvSizes.length; i++) {
                Map.Entry<String, String> kv = r.metadata().get(i);
                o.writeTag(5, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                o.writeUInt32NoTag(kvSizes[i]);
                if (!kv.getKey().isEmpty()) {
                    o.writeString(1, kv.getKey());
                }
                if (!kv.getValue().isEmpty()) {
                    o.writeString(2, kv.getValue());
                }
            }
            o.checkNoSpaceLeft();
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to an array of the computed size
        }
    }

    public static Request decodeRequest(byte[] data) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(data);
        String service = "";
        String method = "";
        byte[] payload = new byte[0];
        long timeout = 0;
        List<Map.Entry<String, String>> metadata = new ArrayList<>();
        for (int tag; (tag = in.readTag()) != 0;) {
            switch (tag) {
                case (1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> service = in.readStringRequireUtf8();
                case (2 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> method = in.readStringRequireUtf8();
                case (3 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> payload = in.readByteArray();
                case (4 << 3) | WireFormat.WIRETYPE_VARINT -> timeout = in.readInt64();
                case (5 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> metadata.add(readKeyValue(in));
                default -> in.skipField(tag);
            }
        }
        return new Request(service, method, payload, timeout, metadata);
    }

    private static Map.Entry<String, String> readKeyValue(CodedInputStream in) throws IOException {
        int limit = in.pushLimit(in.readRawVarint32());
        String key = "";
        String value = "";
        for (int tag; (tag = in.readTag()) != 0;) {
            switch (tag) {
                case (1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> key = in.readStringRequireUtf8();
                case (2 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> value = in.readStringRequireUtf8();
                default -> in.skipField(tag);
            }
        }
        in.popLimit(limit);
        return Map.entry(key, value);
    }

    public static byte[] encodeResponse(Response r) {
        try {
            int statusSize = r.code() == 0 && r.message().isEmpty() ? -1
                    : (r.code() != 0 ? CodedOutputStream.computeInt32Size(1, r.code()) : 0)
                            + stringSizeIfSet(2, r.message());
            int size = r.payload().length > 0 ? CodedOutputStream.computeByteArraySize(2, r.payload()) : 0;
            if (statusSize >= 0) {
                size += CodedOutputStream.computeTagSize(1) + CodedOutputStream.computeUInt32SizeNoTag(statusSize)
                        + statusSize;
            }
            byte[] out = new byte[size];
            CodedOutputStream o = CodedOutputStream.newInstance(out);
            if (statusSize >= 0) {
                o.writeTag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                o.writeUInt32NoTag(statusSize);
                if (r.code() != 0) {
                    o.writeInt32(1, r.code());
                }
                if (!r.message().isEmpty()) {
                    o.writeString(2, r.message());
                }
            }
            if (r.payload().length > 0) {
                o.writeByteArray(2, r.payload());
            }
            o.checkNoSpaceLeft();
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Response decodeResponse(byte[] data) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(data);
        int code = 0;
        String message = "";
        byte[] payload = new byte[0];
        for (int tag; (tag = in.readTag()) != 0;) {
            switch (tag) {
                case (1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> {
                    int limit = in.pushLimit(in.readRawVarint32());
                    for (int t; (t = in.readTag()) != 0;) {
                        switch (t) {
                            case (1 << 3) | WireFormat.WIRETYPE_VARINT -> code = in.readInt32();
                            case (2 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> message = in.readStringRequireUtf8();
                            default -> in.skipField(t);
                        }
                    }
                    in.popLimit(limit);
                }
                case (2 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> payload = in.readByteArray();
                default -> in.skipField(tag);
            }
        }
        return new Response(code, message, payload);
    }

    private static int stringSizeIfSet(int field, String s) {
        return s.isEmpty() ? 0 : CodedOutputStream.computeStringSize(field, s);
    }
}
