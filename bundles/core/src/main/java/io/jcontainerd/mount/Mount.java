package io.jcontainerd.mount;

import java.util.List;

/**
 * One mount (containerd's {@code mount.Mount}), e.g. {@code overlay} with {@code lowerdir=…} options
 * or {@code bind} with {@code rbind,ro}.
 *
 * @param type    file system type
 * @param source  source path or device
 * @param options mount(8)-style options, flags and data mixed; never {@code null}
 */
public record Mount(String type, String source, List<String> options) {
    public Mount {
        options = options == null ? List.of() : List.copyOf(options);
    }
}
