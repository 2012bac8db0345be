package io.jcontainerd.metadata.bolt;

import io.jcontainerd.metadata.MetadataStore;
import io.jcontainerd.metadata.Transaction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Function;

/** The metadata store on a {@link KvStore} in a plugin directory. */
public final class BoltMetadataStore implements MetadataStore, AutoCloseable {
    /** The store's file inside the plugin directory. */
    public static final String FILE = "meta.mv.db";

    private final KvStore kv;
    private final Path file;

    private BoltMetadataStore(KvStore kv, Path file) {
        this.kv = kv;
        this.file = file;
    }

    /** Opens the store in {@code dir}, creating the directory (mode 0711) and the file as needed. */
    public static BoltMetadataStore open(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        }
        Path file = dir.resolve(FILE);
        return new BoltMetadataStore(KvStore.open(file), file);
    }

    /** The store's file. */
    public Path file() {
        return file;
    }

    @Override
    public <T> T view(Function<Transaction, T> work) {
        return kv.read(tx -> work.apply(new BoltTransaction(tx)));
    }

    @Override
    public <T> T update(Function<Transaction, T> work) {
        return kv.write(tx -> work.apply(new BoltTransaction(tx)));
    }

    /** Sets what runs (on the writer's thread) after each durable write transaction that removed records. */
    public void onDeleted(Runnable action) {
        kv.onDeleted(action);
    }

    /** How many fsyncs the store has made; fewer than writes when writers share them. */
    public long syncCount() {
        return kv.syncCount();
    }

    @Override
    public void close() {
        kv.close();
    }
}
