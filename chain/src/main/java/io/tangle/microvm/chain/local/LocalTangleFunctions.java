package io.tangle.microvm.chain.local;

import io.tangle.microvm.chain.TangleFunctions;
import java.util.List;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.DynamicStruct;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Uint32;
import org.web3j.abi.datatypes.generated.Uint64;

/** Calls that exist only on the local Tangle contract ({@code contracts/LocalTangle.sol}). */
public final class LocalTangleFunctions {

    /**
     * One job of a blueprint. The local contract requires empty schemas, and a blueprint whose
     * results are ABI-encoded must register empty schemas on the real contract too.
     */
    public record JobDefinition(String name, String description, String metadataUri, byte[] paramsSchema, byte[] resultSchema) {

        public JobDefinition {
            paramsSchema = paramsSchema.clone();
            resultSchema = resultSchema.clone();
        }

        /** Returns a job with the given name and no description, metadata or schemas. */
        public static JobDefinition named(String name) {
            return new JobDefinition(name, "", "", new byte[0], new byte[0]);
        }
    }

    /** web3j form of the Solidity struct {@code JobDefinition(string,string,string,bytes,bytes)}. */
    public static final class JobDefinitionStruct extends DynamicStruct {
        public JobDefinitionStruct(Utf8String name, Utf8String description, Utf8String metadataUri, DynamicBytes paramsSchema,
                DynamicBytes resultSchema) {
            super(name, description, metadataUri, paramsSchema, resultSchema);
        }
    }

    private LocalTangleFunctions() {
    }

    /**
     * {@code createBlueprint(JobDefinition[] jobs, uint32 requiredResultCount) returns (uint64 blueprintId)}:
     * the job indexes are the positions in {@code jobs}.
     */
    public static Function createBlueprint(List<JobDefinition> jobs, int requiredResultCount) {
        List<JobDefinitionStruct> structs = jobs.stream()
                .map(job -> new JobDefinitionStruct(new Utf8String(job.name()), new Utf8String(job.description()),
                        new Utf8String(job.metadataUri()), new DynamicBytes(job.paramsSchema()), new DynamicBytes(job.resultSchema())))
                .toList();
        return new Function("createBlueprint",
                List.of(new DynamicArray<>(JobDefinitionStruct.class, structs), new Uint32(requiredResultCount)),
                List.of(new TypeReference<Uint64>() {
                }));
    }

    /**
     * {@code submitJobFromQuoteUnsigned(uint64 serviceId, uint8 jobIndex, bytes inputs, address[] quotedOperators)}:
     * emits {@code JobSubmittedFromQuote} as the real contract does for a quote-based call, without
     * the signed quotes the real contract requires.
     */
    public static Function submitJobFromQuoteUnsigned(long serviceId, int jobIndex, byte[] inputs, List<String> quotedOperators) {
        return new Function("submitJobFromQuoteUnsigned",
                List.of(TangleFunctions.uint64(serviceId, "serviceId"), TangleFunctions.uint8(jobIndex, "jobIndex"),
                        new DynamicBytes(inputs), new DynamicArray<>(Address.class, quotedOperators.stream().map(Address::new).toList())),
                List.of(new TypeReference<Uint64>() {
                }));
    }
}
