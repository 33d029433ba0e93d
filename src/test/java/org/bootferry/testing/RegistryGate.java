package org.bootferry.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A TCP forwarder to a registry on loopback that holds every connection until opened: a registry far
 * away, or one that answers only once a test has seen what happens meanwhile. Closing it cuts the
 * connections it forwards too: the registry client keeps connections alive across resolvers (the
 * JDK's keep-alive cache is per process), and one left open would let the next test's requests by.
 */
public final class RegistryGate implements AutoCloseable {
    private final ServerSocket socket;
    private final int upstream;
    private final CountDownLatch opened = new CountDownLatch(1);
    private final Set<Socket> clients = ConcurrentHashMap.newKeySet();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "gate");
        t.setDaemon(true);
        return t;
    });

    public RegistryGate(int port, int upstream) throws IOException {
        this.upstream = upstream;
        socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
        threads.execute(this::accept);
    }

    public void open() {
        opened.countDown();
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                clients.add(client);
                threads.execute(() -> forward(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void forward(Socket client) {
        try (client; Socket server = new Socket(InetAddress.getByName("127.0.0.1"), upstream)) {
            opened.await();
            threads.execute(() -> pipe(server, client));
            pipe(client, server);
        } catch (IOException | InterruptedException e) {
            // the test is over or a side hung up
        }
    }

    private static void pipe(Socket from, Socket to) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            in.transferTo(out);
            to.shutdownOutput();
        } catch (IOException e) {
            // closed: the other direction ends the exchange
        }
    }

    @Override
    public void close() throws IOException {
        opened.countDown();
        socket.close();
        for (Socket client : clients) {
            client.close();
        }
        threads.shutdownNow();
    }
}
