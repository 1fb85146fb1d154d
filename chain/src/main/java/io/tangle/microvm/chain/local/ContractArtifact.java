package io.tangle.microvm.chain.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * A compiled contract as the build writes it: {@code contracts/<Name>.json} on the class path, with
 * the ABI and the creation bytecode.
 *
 * @param abiJson the ABI as a JSON array
 * @param bytecode the creation bytecode as {@code 0x} hex
 */
public record ContractArtifact(String contractName, String abiJson, String bytecode, String compilerVersion) {

    /** The class path resource of the local Tangle contract. */
    public static final String LOCAL_TANGLE_RESOURCE = "/contracts/LocalTangle.json";

    public ContractArtifact {
        Objects.requireNonNull(contractName, "contractName");
        Objects.requireNonNull(abiJson, "abiJson");
        Objects.requireNonNull(bytecode, "bytecode");
        if (!bytecode.startsWith("0x") || bytecode.length() <= 2) {
            throw new IllegalArgumentException("bytecode of " + contractName + " must be non-empty 0x hex");
        }
    }

    /** Loads the local Tangle contract that the chain module's build compiles into its jar. */
    public static ContractArtifact localTangle() {
        return load(LOCAL_TANGLE_RESOURCE);
    }

    /**
     * Loads an artifact from the class path.
     *
     * @throws IllegalStateException if the resource is missing or not a valid artifact
     */
    public static ContractArtifact load(String resource) {
        try (InputStream in = ContractArtifact.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("contract artifact " + resource + " is not on the class path;"
                        + " build the chain module (it compiles contracts/ with solc-js from .tools)");
            }
            JsonNode root = new ObjectMapper().readTree(in);
            JsonNode abi = root.get("abi");
            JsonNode bytecode = root.get("bytecode");
            if (abi == null || !abi.isArray() || bytecode == null || !bytecode.isTextual()) {
                throw new IllegalStateException("contract artifact " + resource + " lacks an abi array or a bytecode string");
            }
            JsonNode compiler = root.path("compiler").path("version");
            return new ContractArtifact(root.path("contractName").asText(resource), abi.toString(), bytecode.asText(),
                    compiler.isMissingNode() ? "unknown" : compiler.asText());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read contract artifact " + resource, e);
        }
    }
}
