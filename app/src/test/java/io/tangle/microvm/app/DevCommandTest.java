package io.tangle.microvm.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevCommandTest {

    @TempDir
    Path dir;

    @Test
    void foreignKeystoreIsKept() throws Exception {
        Path key = dir.resolve("keystore/Ecdsa/operator-key");
        Files.createDirectories(key.getParent());
        Files.writeString(key, "not a dev key");

        int exit = Main.execute("dev", "--data-dir", dir.toString());

        assertThat(exit).as("exit code for a folder that dev did not make").isEqualTo(2);
        assertThat(key).as("the keystore that dev did not make").hasContent("not a dev key");
    }

    @Test
    void foreignDataIsKept() throws Exception {
        Path database = dir.resolve("data/state.db");
        Files.createDirectories(database.getParent());
        Files.writeString(database, "operator state");

        int exit = Main.execute("dev", "--data-dir", dir.toString());

        assertThat(exit).as("exit code for a folder that dev did not make").isEqualTo(2);
        assertThat(database).as("the state that dev did not make").hasContent("operator state");
    }
}
