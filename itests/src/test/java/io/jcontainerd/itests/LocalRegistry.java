package io.jcontainerd.itests;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A private registry for pull tests: Debian's {@code docker-registry} (distribution 2.8) on
 * {@code 127.0.0.1:<free port>}, storage in a temp directory, stopped by its pid on close.
 *
 * <pre>
 * try (LocalRegistry registry = LocalRegistry.start(); TestImages.Image img = TestImages.busybox("busybox")) {
 *     String ref = registry.push(img, "busybox", "latest");   // 127.0.0.1:PORT/busybox:latest
 *     ctr images pull --plain-http ref
 * }
 * </pre>
 */
final class LocalRegistry implements AutoCloseable {
    static final String BINARY = "/usr/bin/docker-registry";

    final Path dir;
    final int port;
    private final Process process;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private LocalRegistry(Path dir, int port) throws IOException, InterruptedException {
        this.dir = dir;
        this.port = port;
        Path config = dir.resolve("config.yml");
        Files.writeString(config, "version: 0.1\n"
                + "log:\n  level: warn\n  accesslog:\n    disabled: true\n"
                + "storage:\n  filesystem:\n    rootdirectory: " + dir.resolve("data") + "\n  delete:\n    enabled: true\n"
                + "http:\n  addr: 127.0.0.1:" + port + "\n");
        process = new ProcessBuilder(BINARY, "serve", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("registry.log").toFile())
                .start();
        if (!awaitServing(30_000)) {
            String log = Files.readString(dir.resolve("registry.log"));
            close();
            throw new AssertionError("docker-registry did not serve on port " + port + "\n" + log);
        }
    }

    /** Starts a registry on a free loopback port; needs the docker-registry package. */
    static LocalRegistry start() throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of(BINARY))) {
            throw new IllegalStateException(BINARY + " is missing: apt-get install docker-registry");
        }
        Path dir = Files.createTempDirectory("jcd-registry-");
        try {
            return new LocalRegistry(dir, freePort());
        } catch (IOException | RuntimeException | InterruptedException | Error e) {
            Processes.deleteTree(dir);
            throw e;
        }
    }

    /** {@code 127.0.0.1:<port>}, the host part of references into this registry. */
    String host() {
        return "127.0.0.1:" + port;
    }

    /** The reference a client pulls: {@code 127.0.0.1:<port>/<repository>:<tag>}. */
    String reference(String repository, String tag) {
        return host() + "/" + repository + ":" + tag;
    }

    /** Pushes the image with its Docker schema 2 manifest; answers the reference to pull. */
    String push(TestImages.Image image, String repository, String tag) throws IOException, InterruptedException {
        return push(image, repository, tag, false);
    }

    /**
     * Pushes the image's blobs (those the registry lacks) and then its manifest, through the registry
     * HTTP API v2: {@code POST /v2/<repo>/blobs/uploads/}, {@code PUT <location>&digest=...} (monolithic),
     * {@code PUT /v2/<repo>/manifests/<tag>}. {@code oci} picks the OCI manifest instead of Docker's.
     */
    String push(TestImages.Image image, String repository, String tag, boolean oci) throws IOException, InterruptedException {
        TestImages.Blob manifest = oci ? image.ociManifest : image.dockerManifest;
        for (TestImages.Blob blob : image.allBlobs(manifest)) {
            if (blob == manifest) {
                continue;
            }
            pushBlob(repository, blob);
        }
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(uri("/v2/" + repository + "/manifests/" + tag))
                .header("Content-Type", oci ? TestImages.OCI_MANIFEST : TestImages.DOCKER_MANIFEST)
                .PUT(HttpRequest.BodyPublishers.ofFile(manifest.path())).build(), HttpResponse.BodyHandlers.ofString());
        expect(put, 201, "manifest PUT");
        String stored = put.headers().firstValue("Docker-Content-Digest").orElse("");
        if (!stored.equals(manifest.digest())) {
            throw new AssertionError("registry stored manifest " + stored + ", expected " + manifest.digest());
        }
        return reference(repository, tag);
    }

    private void pushBlob(String repository, TestImages.Blob blob) throws IOException, InterruptedException {
        HttpResponse<Void> head = http.send(HttpRequest.newBuilder(uri("/v2/" + repository + "/blobs/" + blob.digest()))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        if (head.statusCode() == 200) {
            return;
        }
        HttpResponse<String> start = http.send(HttpRequest.newBuilder(uri("/v2/" + repository + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        expect(start, 202, "upload POST");
        String location = start.headers().firstValue("Location")
                .orElseThrow(() -> new AssertionError("upload POST without Location"));
        URI upload = uri("/").resolve(location);
        String sep = upload.getRawQuery() == null ? "?" : "&";
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(upload + sep + "digest=" + blob.digest()))
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofFile(blob.path())).build(), HttpResponse.BodyHandlers.ofString());
        expect(put, 201, "blob PUT " + blob.digest());
    }

    private URI uri(String path) {
        return URI.create("http://" + host() + path);
    }

    private static void expect(HttpResponse<?> r, int status, String what) {
        if (r.statusCode() != status) {
            throw new AssertionError(what + ": HTTP " + r.statusCode() + " " + r.body());
        }
    }

    private boolean awaitServing(long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline && process.isAlive()) {
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(uri("/v2/")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return true;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        return false;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            Processes.terminate(process, 30);
        } finally {
            Processes.deleteTree(dir);
        }
    }
}
