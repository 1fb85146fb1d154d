package io.tangle.microvm.app;

import picocli.CommandLine.IVersionProvider;

/** Reports the version recorded in the jar manifest, or {@code development} when run from classes. */
final class VersionProvider implements IVersionProvider {

    @Override
    public String[] getVersion() {
        String version = Main.class.getPackage().getImplementationVersion();
        return new String[] {"microvm-blueprint " + (version == null ? "development" : version)};
    }
}
