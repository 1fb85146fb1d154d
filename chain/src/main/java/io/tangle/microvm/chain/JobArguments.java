package io.tangle.microvm.chain;

import java.util.List;
import org.web3j.abi.DefaultFunctionEncoder;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.utils.Numeric;

/**
 * Encodes job arguments the way a Solidity caller does with {@code abi.encode(a)} or
 * {@code abi.encode(a, b)}: the flat parameter form, without an outer tuple offset.
 */
public final class JobArguments {

    private JobArguments() {
    }

    /** {@code abi.encode(value)} for one string: offset 0x20, length, padded UTF-8 bytes. */
    @SuppressWarnings("rawtypes")
    public static byte[] encode(String value) {
        return encodeStrings(List.of(new Utf8String(value)));
    }

    /** {@code abi.encode(first, second)} for two strings: two offsets, then each length and padded bytes. */
    @SuppressWarnings("rawtypes")
    public static byte[] encode(String first, String second) {
        return encodeStrings(List.of(new Utf8String(first), new Utf8String(second)));
    }

    @SuppressWarnings("rawtypes") // web3j's encoder takes a list of raw Type.
    private static byte[] encodeStrings(List<Type> values) {
        return Numeric.hexStringToByteArray(new DefaultFunctionEncoder().encodeParameters(values));
    }
}
