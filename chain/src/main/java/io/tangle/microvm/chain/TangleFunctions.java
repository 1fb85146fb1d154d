package io.tangle.microvm.chain;

import java.math.BigInteger;
import java.util.List;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint32;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.abi.datatypes.generated.Uint8;

/**
 * web3j function calls of the Tangle core contract, ready for {@code FunctionEncoder.encode}.
 *
 * <p>Ids are Solidity {@code uint64} values carried in a Java {@code long}, so they must not be
 * negative; job indexes and staking percentages are {@code uint8} (0 to 255).
 */
public final class TangleFunctions {

    private TangleFunctions() {
    }

    /** {@code submitResult(uint64 serviceId, uint64 callId, bytes result)}, sent by an operator. */
    public static Function submitResult(long serviceId, long callId, byte[] result) {
        return new Function("submitResult",
                List.of(uint64(serviceId, "serviceId"), uint64(callId, "callId"), new DynamicBytes(result)),
                List.of());
    }

    /**
     * {@code submitResults(uint64 serviceId, uint64[] callIds, bytes[] results)}, the batch form of
     * {@link #submitResult}: the contract applies each pair in order and reverts the whole
     * transaction if any one of them reverts.
     *
     * @throws IllegalArgumentException if the lists differ in length or are empty
     */
    public static Function submitResults(long serviceId, List<Long> callIds, List<byte[]> results) {
        if (callIds.size() != results.size() || callIds.isEmpty()) {
            throw new IllegalArgumentException("submitResults needs one result per call id and at least one call: "
                    + callIds.size() + " call ids, " + results.size() + " results");
        }
        List<Uint64> ids = callIds.stream().map(id -> uint64(id, "callId")).toList();
        List<DynamicBytes> outputs = results.stream().map(DynamicBytes::new).toList();
        return new Function("submitResults",
                List.of(uint64(serviceId, "serviceId"), new DynamicArray<>(Uint64.class, ids),
                        new DynamicArray<>(DynamicBytes.class, outputs)),
                List.of());
    }

    /** {@code submitJob(uint64 serviceId, uint8 jobIndex, bytes inputs) returns (uint64 callId)}, sent by a permitted caller. */
    public static Function submitJob(long serviceId, int jobIndex, byte[] inputs) {
        return new Function("submitJob",
                List.of(uint64(serviceId, "serviceId"), uint8(jobIndex, "jobIndex"), new DynamicBytes(inputs)),
                List.of(new TypeReference<Uint64>() {
                }));
    }

    /** {@code getJobCall(uint64 serviceId, uint64 callId)}, returning the JobCall tuple decoded by {@link JobCallInfo}. */
    public static Function getJobCall(long serviceId, long callId) {
        return new Function("getJobCall",
                List.of(uint64(serviceId, "serviceId"), uint64(callId, "callId")),
                List.of(
                        new TypeReference<Uint8>() {
                        },
                        new TypeReference<Address>() {
                        },
                        new TypeReference<Uint64>() {
                        },
                        new TypeReference<Uint32>() {
                        },
                        new TypeReference<Uint256>() {
                        },
                        new TypeReference<Bool>() {
                        },
                        new TypeReference<Bool>() {
                        }));
    }

    /** {@code isOperatorRegistered(uint64 blueprintId, address operator) returns (bool)}. */
    public static Function isOperatorRegistered(long blueprintId, String operator) {
        return new Function("isOperatorRegistered",
                List.of(uint64(blueprintId, "blueprintId"), new Address(operator)),
                List.of(new TypeReference<Bool>() {
                }));
    }

    /**
     * {@code registerOperator(uint64 blueprintId, bytes ecdsaPublicKey, string rpcAddress)}.
     *
     * @param ecdsaPublicKey the operator's uncompressed key, {@code 0x04 || X || Y} (65 bytes)
     */
    public static Function registerOperator(long blueprintId, byte[] ecdsaPublicKey, String rpcAddress) {
        return new Function("registerOperator",
                List.of(uint64(blueprintId, "blueprintId"), new DynamicBytes(ecdsaPublicKey), new Utf8String(rpcAddress)),
                List.of());
    }

    /**
     * {@code requestService(uint64 blueprintId, address[] operators, bytes config, address[] permittedCallers,
     * uint64 ttl, address paymentToken, uint256 paymentAmount) returns (uint64 requestId)}.
     * The requester becomes a permitted caller of the service without being listed.
     */
    public static Function requestService(long blueprintId, List<String> operators, byte[] config,
            List<String> permittedCallers, long ttl, String paymentToken, BigInteger paymentAmount) {
        return new Function("requestService",
                List.of(
                        uint64(blueprintId, "blueprintId"),
                        addresses(operators),
                        new DynamicBytes(config),
                        addresses(permittedCallers),
                        uint64(ttl, "ttl"),
                        new Address(paymentToken),
                        new Uint256(paymentAmount)),
                List.of(new TypeReference<Uint64>() {
                }));
    }

    /** {@code approveService(uint64 requestId, uint8 stakingPercent)}, sent by each operator of the request. */
    public static Function approveService(long requestId, int stakingPercent) {
        return new Function("approveService",
                List.of(uint64(requestId, "requestId"), uint8(stakingPercent, "stakingPercent")),
                List.of());
    }

    /** {@code addPermittedCaller(uint64 serviceId, address caller)}, sent by the service owner. */
    public static Function addPermittedCaller(long serviceId, String caller) {
        return new Function("addPermittedCaller",
                List.of(uint64(serviceId, "serviceId"), new Address(caller)),
                List.of());
    }

    /** Converts a non-negative id to a Solidity {@code uint64}. */
    public static Uint64 uint64(long value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must not be negative: " + value);
        }
        return new Uint64(BigInteger.valueOf(value));
    }

    /** Converts 0 to 255 to a Solidity {@code uint8}. */
    public static Uint8 uint8(int value, String name) {
        if (value < 0 || value > 255) {
            throw new IllegalArgumentException(name + " must be between 0 and 255: " + value);
        }
        return new Uint8(BigInteger.valueOf(value));
    }

    private static DynamicArray<Address> addresses(List<String> values) {
        return new DynamicArray<>(Address.class, values.stream().map(Address::new).toList());
    }
}
