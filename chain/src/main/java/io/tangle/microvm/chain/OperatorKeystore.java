package io.tangle.microvm.chain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.crypto.digests.Blake3Digest;
import org.bouncycastle.math.ec.ECPoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Sign;
import org.web3j.utils.Numeric;

/**
 * Reads and writes operator ECDSA keys in the Tangle SDK's file keystore layout, so keys imported
 * with {@code cargo-tangle} work here and keys written here work there.
 *
 * <p>Layout: {@code <keystore>/Ecdsa/<name>}, one file per key, where {@code name} is the lowercase
 * hex BLAKE3 hash of the 33-byte compressed secp256k1 public key. The file contains the JSON array
 * {@code [[public key bytes], [32 secret key bytes]]}, with bytes as integers from 0 to 255.
 * The keys are stored unencrypted, as in the SDK's file keystore.
 */
public final class OperatorKeystore {

    private static final Logger log = LoggerFactory.getLogger(OperatorKeystore.class);

    /** The key type folder inside the keystore. */
    public static final String ECDSA_DIRECTORY = "Ecdsa";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final BigInteger CURVE_ORDER = Sign.CURVE_PARAMS.getN();

    private OperatorKeystore() {
    }

    /**
     * Loads the operator key. When the folder contains several keys, the file names are sorted and the
     * first is used, so the choice does not depend on directory order (the SDK takes whichever the
     * file system lists first).
     *
     * @throws KeystoreException naming the path, when the folder is missing or empty or the key file
     *         is unreadable, not the expected JSON, has wrong lengths, or its secret does not match its public key
     */
    public static Credentials load(Path keystoreDir) throws KeystoreException {
        Path ecdsaDir = keystoreDir.resolve(ECDSA_DIRECTORY);
        if (!Files.isDirectory(ecdsaDir)) {
            throw new KeystoreException("keystore folder " + ecdsaDir + " does not exist; write the operator key there"
                    + " (for example with cargo-tangle) or pass the right keystore path");
        }

        List<Path> keyFiles;
        try (Stream<Path> entries = Files.list(ecdsaDir)) {
            keyFiles = entries.filter(Files::isRegularFile)
                    .filter(path -> !path.getFileName().toString().startsWith("."))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new KeystoreException("cannot list keystore folder " + ecdsaDir + ": " + e.getMessage(), e);
        }
        if (keyFiles.isEmpty()) {
            throw new KeystoreException("keystore folder " + ecdsaDir + " contains no key file; write the operator key there first");
        }
        if (keyFiles.size() > 1) {
            log.info("Keystore {} contains {} keys; using {}, the first by file name", ecdsaDir, keyFiles.size(), keyFiles.get(0).getFileName());
        }
        return read(keyFiles.get(0));
    }

    /**
     * Reads one key file.
     *
     * @throws KeystoreException naming the file when it is unreadable or invalid
     */
    public static Credentials read(Path keyFile) throws KeystoreException {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(keyFile, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            // Jackson's message may quote the file content, which contains the secret, so it is left out.
            String line = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
            throw new KeystoreException("key file " + keyFile + " is not valid JSON" + line, null);
        } catch (IOException e) {
            throw new KeystoreException("cannot read key file " + keyFile + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isArray() || root.size() != 2) {
            throw new KeystoreException("key file " + keyFile + " must hold a JSON array of two byte arrays: [[public key], [secret key]]");
        }

        byte[] publicKey = bytes(root.get(0), keyFile, "public key");
        byte[] secret = bytes(root.get(1), keyFile, "secret key");
        if (publicKey.length != 33 && publicKey.length != 65) {
            throw new KeystoreException("key file " + keyFile + ": the public key has " + publicKey.length
                    + " bytes; expected 33 (compressed) or 65 (uncompressed)");
        }
        if (secret.length != 32) {
            throw new KeystoreException("key file " + keyFile + ": the secret key has " + secret.length + " bytes; expected 32");
        }

        BigInteger privateKey = new BigInteger(1, secret);
        Arrays.fill(secret, (byte) 0);
        if (privateKey.signum() == 0 || privateKey.compareTo(CURVE_ORDER) >= 0) {
            throw new KeystoreException("key file " + keyFile + ": the secret key is not a valid secp256k1 scalar");
        }
        ECPoint derived = Sign.publicPointFromPrivate(privateKey);
        byte[] expected = derived.getEncoded(publicKey.length == 33);
        if (!Arrays.equals(expected, publicKey)) {
            throw new KeystoreException("key file " + keyFile + ": the secret key does not belong to the public key stored with it");
        }

        String expectedName = fileName(publicKeyCompressed(derived));
        if (!keyFile.getFileName().toString().equals(expectedName)) {
            log.warn("Key file {} is not named after its public key (expected {}); the Tangle SDK may not find it", keyFile, expectedName);
        }
        return Credentials.create(ECKeyPair.create(privateKey));
    }

    /**
     * Writes a key in the SDK layout under {@code <keystoreDir>/Ecdsa/} (created if needed) and
     * returns the file's path. The file is written atomically and, where the file system supports
     * it, readable by the owner only.
     */
    public static Path write(Path keystoreDir, ECKeyPair keyPair) throws IOException {
        Path ecdsaDir = keystoreDir.resolve(ECDSA_DIRECTORY);
        Files.createDirectories(ecdsaDir);

        byte[] compressed = publicKeyCompressed(Sign.publicPointFromPrivate(keyPair.getPrivateKey()));
        byte[] secret = Numeric.toBytesPadded(keyPair.getPrivateKey(), 32);
        String content = "[" + jsonBytes(compressed) + "," + jsonBytes(secret) + "]";
        Arrays.fill(secret, (byte) 0);

        Path target = ecdsaDir.resolve(fileName(compressed));
        Path temporary = Files.createTempFile(ecdsaDir, ".key-", ".tmp");
        try {
            restrictToOwner(temporary);
            Files.writeString(temporary, content, StandardCharsets.UTF_8);
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
        return target;
    }

    /** Returns the 33-byte compressed SEC1 encoding of a key pair's public key. */
    public static byte[] compressedPublicKey(ECKeyPair keyPair) {
        return publicKeyCompressed(Sign.publicPointFromPrivate(keyPair.getPrivateKey()));
    }

    /** Returns the 65-byte uncompressed encoding {@code 0x04 || X || Y}, as {@code registerOperator} expects. */
    public static byte[] uncompressedPublicKey(ECKeyPair keyPair) {
        return Sign.publicPointFromPrivate(keyPair.getPrivateKey()).getEncoded(false);
    }

    /** Returns the key file name for a compressed public key: lowercase hex of its 32-byte BLAKE3 hash. */
    public static String fileName(byte[] compressedPublicKey) {
        Blake3Digest digest = new Blake3Digest(256);
        digest.update(compressedPublicKey, 0, compressedPublicKey.length);
        byte[] hash = new byte[32];
        digest.doFinal(hash, 0);
        return HexFormat.of().formatHex(hash);
    }

    private static byte[] publicKeyCompressed(ECPoint point) {
        return point.getEncoded(true);
    }

    private static byte[] bytes(JsonNode node, Path keyFile, String what) throws KeystoreException {
        if (node == null || !node.isArray()) {
            throw new KeystoreException("key file " + keyFile + ": the " + what + " must be a JSON array of byte values");
        }
        byte[] result = new byte[node.size()];
        for (int i = 0; i < node.size(); i++) {
            JsonNode value = node.get(i);
            if (!value.isIntegralNumber() || value.asInt() < 0 || value.asInt() > 255) {
                throw new KeystoreException("key file " + keyFile + ": entry " + i + " of the " + what + " is not a byte value from 0 to 255");
            }
            result[i] = (byte) value.asInt();
        }
        return result;
    }

    private static String jsonBytes(byte[] bytes) {
        StringBuilder builder = new StringBuilder("[");
        for (int i = 0; i < bytes.length; i++) {
            if (i > 0) {
                builder.append(',');
            }
            builder.append(bytes[i] & 0xff);
        }
        return builder.append(']').toString();
    }

    private static void restrictToOwner(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            log.debug("File system of {} has no POSIX permissions; the key file keeps its default permissions", file);
        }
    }
}
