package io.jcontainerd.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import org.junit.jupiter.api.Test;

/** containerd's rule for the ttrpc socket: {@code [ttrpc] address}, else the gRPC address + ".ttrpc" with its owner. */
class DaemonConfigTtrpcTest {
    private static DaemonConfig load(String toml) throws Exception {
        return DaemonConfig.from(new TomlMapper().readTree(toml), Options.parse(new String[0]));
    }

    @Test
    void defaultsToTheGrpcAddressAndOwner() throws Exception {
        DaemonConfig c = load("version = 2\n[grpc]\n  address = \"/run/x/x.sock\"\n  uid = 7\n  gid = 8\n");
        assertEquals("/run/x/x.sock.ttrpc", c.ttrpcAddress());
        assertEquals(7, c.ttrpcUid());
        assertEquals(8, c.ttrpcGid());
    }

    @Test
    void honoursTheTtrpcSection() throws Exception {
        DaemonConfig c = load("version = 2\n[grpc]\n  address = \"/run/x/x.sock\"\n  uid = 7\n"
                + "[ttrpc]\n  address = \"/run/y/t.sock\"\n  gid = 9\n");
        assertEquals("/run/y/t.sock", c.ttrpcAddress());
        assertEquals(-1, c.ttrpcUid());
        assertEquals(9, c.ttrpcGid());
    }
}
