package io.tangle.microvm.bridge;

import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.ServerCalls;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for the blueprint manager's bridge, which is a Rust program that cannot run here: a
 * gRPC server on a Unix domain socket with the service name of the manager's {@code bridge.proto}.
 * It records the body of every ping. {@link #startWithoutPing} starts one whose service lacks
 * {@code Ping}.
 */
public final class FakeBridge implements AutoCloseable {

    private final EventLoopGroup eventLoop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    private final List<byte[]> pings = new CopyOnWriteArrayList<>();
    private final Server server;

    private FakeBridge(Path socket, boolean servePing) throws IOException {
        ServerServiceDefinition.Builder service = ServerServiceDefinition.builder(BridgeMethods.SERVICE);
        if (servePing) {
            service.addMethod(BridgeMethods.PING, ServerCalls.asyncUnaryCall((request, response) -> {
                pings.add(request);
                response.onNext(new byte[0]);
                response.onCompleted();
            }));
        } else {
            service.addMethod(BridgeMethods.unary("RequestPort"), ServerCalls.asyncUnaryCall((request, response) -> {
                throw new UnsupportedOperationException("not used by these tests");
            }));
        }
        this.server = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(eventLoop)
                .workerEventLoopGroup(eventLoop)
                .addService(service.build())
                .build()
                .start();
    }

    /** Starts a bridge that serves {@code Ping}. */
    public static FakeBridge start(Path socket) throws IOException {
        return new FakeBridge(socket, true);
    }

    /** Starts a bridge whose service lacks {@code Ping}, as an incompatible manager would. */
    public static FakeBridge startWithoutPing(Path socket) throws IOException {
        return new FakeBridge(socket, false);
    }

    /** Returns the bodies of the pings received, in order. */
    public List<byte[]> pings() {
        return List.copyOf(pings);
    }

    @Override
    public void close() {
        server.shutdownNow();
        try {
            server.awaitTermination(2, TimeUnit.SECONDS);
            eventLoop.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
