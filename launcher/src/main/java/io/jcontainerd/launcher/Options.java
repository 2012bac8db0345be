package io.jcontainerd.launcher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Command-line flags, named as containerd's: {@code --config/-c}, {@code --address/-a},
 * {@code --root}, {@code --state}, {@code --log-level/-l}; both {@code --flag value} and
 * {@code --flag=value}. Remaining words form a subcommand ({@code config default}).
 */
record Options(Path config, String address, String root, String state, String logLevel,
        boolean help, boolean version, List<String> command) {

    static final String USAGE = """
            Usage: jcontainerd [flags] [command]

            A containerd-compatible container runtime daemon built from OSGi bundles.

            Flags:
              -c, --config FILE       path to the configuration file (default /etc/jcontainerd/config.toml)
              -a, --address PATH      gRPC unix socket path (overrides [grpc] address)
                  --root DIR          persistent state directory (default /var/lib/jcontainerd)
                  --state DIR         volatile state directory (default /run/jcontainerd)
              -l, --log-level LEVEL   trace, debug, info, warn, error, fatal or panic (default info)
              -h, --help              show this help
              -v, --version           print the version

            Commands:
              config default          print the default configuration
            """;

    static Options parse(String[] args) {
        Path config = null;
        String address = null;
        String root = null;
        String state = null;
        String logLevel = null;
        boolean help = false;
        boolean version = false;
        List<String> command = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String name = a;
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("-") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            switch (name) {
                case "-h", "--help" -> help = true;
                case "-v", "--version" -> version = true;
                case "-c", "--config" -> {
                    String v = value != null ? value : next(args, ++i, name);
                    config = Path.of(v);
                }
                case "-a", "--address" -> address = value != null ? value : next(args, ++i, name);
                case "--root" -> root = value != null ? value : next(args, ++i, name);
                case "--state" -> state = value != null ? value : next(args, ++i, name);
                case "-l", "--log-level" -> logLevel = value != null ? value : next(args, ++i, name);
                default -> {
                    if (a.startsWith("-")) {
                        throw new IllegalArgumentException("flag provided but not defined: " + name);
                    }
                    command.add(a);
                }
            }
        }
        return new Options(config, address, root, state, logLevel, help, version, List.copyOf(command));
    }

    private static String next(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException("flag needs an argument: " + flag);
        }
        return args[i];
    }
}
