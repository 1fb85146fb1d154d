package io.tangle.microvm.bridge;

import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The methods of the gRPC service {@code blueprint_manager_bridge.BlueprintManagerBridge} that this
 * client calls, as declared in the blueprint manager's {@code bridge.proto}. Messages travel as raw
 * protobuf bytes, so no generated code is needed: {@code google.protobuf.Empty} encodes to no bytes.
 */
final class BridgeMethods {

    static final String SERVICE = "blueprint_manager_bridge.BlueprintManagerBridge";

    /** {@code rpc Ping(google.protobuf.Empty) returns (google.protobuf.Empty)}. */
    static final MethodDescriptor<byte[], byte[]> PING = unary("Ping");

    private BridgeMethods() {
    }

    static MethodDescriptor<byte[], byte[]> unary(String method) {
        return MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, method))
                .setRequestMarshaller(RawBytes.INSTANCE)
                .setResponseMarshaller(RawBytes.INSTANCE)
                .build();
    }

    /** Passes encoded protobuf messages through unchanged. */
    private enum RawBytes implements MethodDescriptor.Marshaller<byte[]> {
        INSTANCE;

        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try (stream) {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException("could not read a bridge response", e);
            }
        }
    }
}
