package io.tangle.microvm.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.StringJoiner;
import org.bouncycastle.crypto.digests.Blake3Digest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.utils.Numeric;

class OperatorKeystoreTest {

    private static final String ANVIL_1_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
    private static final String ANVIL_1_ADDRESS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

    @TempDir
    Path keystore;

    @Test
    void writtenKeyReadsBack() throws Exception {
        ECKeyPair keyPair = Keys.createEcKeyPair();

        Path file = OperatorKeystore.write(keystore, keyPair);
        Credentials loaded = OperatorKeystore.load(keystore);

        assertThat(loaded.getAddress()).isEqualTo(Credentials.create(keyPair).getAddress());
        assertThat(file.getParent()).isEqualTo(keystore.resolve("Ecdsa"));
        assertThat(file.getFileName().toString()).matches("[0-9a-f]{64}");
    }

    @Test
    void writtenKeyFileIsOwnerOnly() throws Exception {
        Path file = OperatorKeystore.write(keystore, Keys.createEcKeyPair());

        assertThat(Files.getPosixFilePermissions(file))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    }

    @Test
    void handMadeFixtureReadsBack() throws Exception {
        // Built here from the layout alone, without OperatorKeystore: compressed key from the curve
        // point, BLAKE3 file name, JSON byte arrays.
        BigInteger secret = Numeric.toBigInt(ANVIL_1_KEY);
        byte[] compressed = org.web3j.crypto.Sign.publicPointFromPrivate(secret).getEncoded(true);
        Blake3Digest blake3 = new Blake3Digest(256);
        blake3.update(compressed, 0, compressed.length);
        byte[] name = new byte[32];
        blake3.doFinal(name, 0);
        Path ecdsa = Files.createDirectories(keystore.resolve("Ecdsa"));
        Files.writeString(ecdsa.resolve(Numeric.toHexStringNoPrefix(name)),
                "[" + jsonBytes(compressed) + ", " + jsonBytes(Numeric.toBytesPadded(secret, 32)) + "]\n");

        Credentials loaded = OperatorKeystore.load(keystore);

        assertThat(loaded.getAddress()).isEqualToIgnoringCase(ANVIL_1_ADDRESS);
    }

    @Test
    void fileNameIsCompressedKeyHash() throws Exception {
        ECKeyPair keyPair = Credentials.create(ANVIL_1_KEY).getEcKeyPair();

        Path file = OperatorKeystore.write(keystore, keyPair);

        assertThat(file.getFileName().toString()).isEqualTo(OperatorKeystore.fileName(OperatorKeystore.compressedPublicKey(keyPair)));
        assertThat(Files.readString(file)).startsWith("[[" + (OperatorKeystore.compressedPublicKey(keyPair)[0] & 0xff) + ",");
    }

    @Test
    void firstKeyByFileNameIsChosen() throws Exception {
        Path first = OperatorKeystore.write(keystore, Keys.createEcKeyPair());
        Path second = OperatorKeystore.write(keystore, Keys.createEcKeyPair());
        Path expected = first.getFileName().toString().compareTo(second.getFileName().toString()) < 0 ? first : second;

        Credentials loaded = OperatorKeystore.load(keystore);

        assertThat(loaded.getAddress()).isEqualTo(OperatorKeystore.read(expected).getAddress());
    }

    @Test
    void missingFolderIsReportedWithItsPath() {
        assertThatThrownBy(() -> OperatorKeystore.load(keystore.resolve("absent")))
                .isInstanceOf(KeystoreException.class)
                .hasMessageContaining(keystore.resolve("absent").resolve("Ecdsa").toString())
                .hasMessageContaining("does not exist");
    }

    @Test
    void emptyFolderIsReported() throws Exception {
        Files.createDirectories(keystore.resolve("Ecdsa"));

        assertThatThrownBy(() -> OperatorKeystore.load(keystore))
                .isInstanceOf(KeystoreException.class)
                .hasMessageContaining("contains no key file");
    }

    @Test
    void invalidJsonHidesTheContent() throws Exception {
        Path file = writeRaw("[[2,3,secret-material");

        assertThatThrownBy(() -> OperatorKeystore.load(keystore))
                .isInstanceOf(KeystoreException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("not valid JSON")
                .hasMessageNotContaining("secret-material");
    }

    @Test
    void wrongShapeIsReported() throws Exception {
        writeRaw("{\"public\": [1]}");

        assertThatThrownBy(() -> OperatorKeystore.load(keystore))
                .isInstanceOf(KeystoreException.class)
                .hasMessageContaining("two byte arrays");
    }

    @Test
    void wrongPublicKeyLengthIsReported() throws Exception {
        writeRaw("[" + jsonBytes(new byte[32]) + "," + jsonBytes(new byte[32]) + "]");

        assertThatThrownBy(() -> OperatorKeystore.load(keystore))
                .isInstanceOf(KeystoreException.class)
                .hasMessageContaining("public key has 32 bytes");
    }

    @Test
    void wrongSecretLengthIsReported() throws Exception {
        byte[] compressed = OperatorKeystore.compressedPublicKey(Credentials.create(ANVIL_1_KEY).getEcKeyPair());
        writeRaw("[" + jsonBytes(compressed) + "," + jsonBytes(new byte[31]) + "]");

        assertThatThrownBy(() -> OperatorKeystore.load(keystore))
                .isInstanceOf(KeystoreException.class)
                .hasMessageContaining("secret key has 31 bytes");
    }

    @Test
    void byteValueOutOfRangeIsReported() throws Exception {
        writeRaw("[[256],[1]]");

        assertThatThrownBy(() -> OperatorKeystore.load(keystore))
                .isInstanceOf(KeystoreException.class)
                .hasMessageContaining("entry 0 of the public key");
    }

    @Test
    void secretOfAnotherKeyIsRejected() throws Exception {
        byte[] compressed = OperatorKeystore.compressedPublicKey(Credentials.create(ANVIL_1_KEY).getEcKeyPair());
        byte[] otherSecret = Numeric.toBytesPadded(Keys.createEcKeyPair().getPrivateKey(), 32);
        writeRaw("[" + jsonBytes(compressed) + "," + jsonBytes(otherSecret) + "]");

        assertThatThrownBy(() -> OperatorKeystore.load(keystore))
                .isInstanceOf(KeystoreException.class)
                .hasMessageContaining("does not belong to the public key");
    }

    @Test
    void uncompressedPublicKeyIsAccepted() throws Exception {
        ECKeyPair keyPair = Credentials.create(ANVIL_1_KEY).getEcKeyPair();
        writeRaw("[" + jsonBytes(OperatorKeystore.uncompressedPublicKey(keyPair)) + ","
                + jsonBytes(Numeric.toBytesPadded(keyPair.getPrivateKey(), 32)) + "]");

        assertThat(OperatorKeystore.load(keystore).getAddress()).isEqualToIgnoringCase(ANVIL_1_ADDRESS);
    }

    private Path writeRaw(String content) throws Exception {
        Path ecdsa = Files.createDirectories(keystore.resolve("Ecdsa"));
        Path file = ecdsa.resolve("0".repeat(64));
        Files.writeString(file, content);
        return file;
    }

    private static String jsonBytes(byte[] bytes) {
        StringJoiner joiner = new StringJoiner(",", "[", "]");
        for (byte b : bytes) {
            joiner.add(Integer.toString(b & 0xff));
        }
        return joiner.toString();
    }
}
