package io.tangle.microvm.app;

import io.tangle.microvm.app.dev.GuestImageSetup;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Guest image commands for the QEMU provider. */
@Command(name = "image", mixinStandardHelpOptions = true, description = "Build the guest image for the qemu provider.",
        subcommands = ImageCommand.Build.class)
final class ImageCommand {

    @Command(name = "build", mixinStandardHelpOptions = true,
            description = "Build (or reuse from its cache) the guest kernel and initramfs, and print where they are.")
    static final class Build implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            GuestImageSetup.build(spec.commandLine().getOut());
            return 0;
        }
    }
}
