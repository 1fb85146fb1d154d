package io.tangle.microvm.chain;

import java.util.List;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Event;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.abi.datatypes.generated.Uint8;

/**
 * web3j definitions of the Tangle events this module reads. The {@code true} flags mark indexed
 * parameters, as the real implementation emits them.
 */
public final class TangleEvents {

    /** Indexed: serviceId, callId. Data: (uint8 jobIndex, address caller, bytes inputs). */
    public static final Event JOB_SUBMITTED = new Event("JobSubmitted", List.of(
            new TypeReference<Uint64>(true) {
            },
            new TypeReference<Uint64>(true) {
            },
            new TypeReference<Uint8>(false) {
            },
            new TypeReference<Address>(false) {
            },
            new TypeReference<DynamicBytes>(false) {
            }));

    /** Indexed: serviceId, callId. Data: (jobIndex, caller, quotedOperators, totalPrice, inputs). */
    public static final Event JOB_SUBMITTED_FROM_QUOTE = new Event("JobSubmittedFromQuote", List.of(
            new TypeReference<Uint64>(true) {
            },
            new TypeReference<Uint64>(true) {
            },
            new TypeReference<Uint8>(false) {
            },
            new TypeReference<Address>(false) {
            },
            new TypeReference<DynamicArray<Address>>(false) {
            },
            new TypeReference<Uint256>(false) {
            },
            new TypeReference<DynamicBytes>(false) {
            }));

    /** Indexed: serviceId, callId, operator. Data: (bytes result). */
    public static final Event JOB_RESULT_SUBMITTED = new Event("JobResultSubmitted", List.of(
            new TypeReference<Uint64>(true) {
            },
            new TypeReference<Uint64>(true) {
            },
            new TypeReference<Address>(true) {
            },
            new TypeReference<DynamicBytes>(false) {
            }));

    /** Indexed: serviceId, callId. */
    public static final Event JOB_COMPLETED = new Event("JobCompleted", List.of(
            new TypeReference<Uint64>(true) {
            },
            new TypeReference<Uint64>(true) {
            }));

    /** Indexed: serviceId, requestId, blueprintId. */
    public static final Event SERVICE_ACTIVATED = new Event("ServiceActivated", List.of(
            new TypeReference<Uint64>(true) {
            },
            new TypeReference<Uint64>(true) {
            },
            new TypeReference<Uint64>(true) {
            }));

    /** Indexed: requestId, blueprintId, requester. */
    public static final Event SERVICE_REQUESTED = new Event("ServiceRequested", List.of(
            new TypeReference<Uint64>(true) {
            },
            new TypeReference<Uint64>(true) {
            },
            new TypeReference<Address>(true) {
            }));

    /** Indexed: blueprintId, operator. Data: (bytes ecdsaPublicKey, string rpcAddress). */
    public static final Event OPERATOR_REGISTERED = new Event("OperatorRegistered", List.of(
            new TypeReference<Uint64>(true) {
            },
            new TypeReference<Address>(true) {
            },
            new TypeReference<DynamicBytes>(false) {
            },
            new TypeReference<Utf8String>(false) {
            }));

    private TangleEvents() {
    }
}
