/*
 * The least a TFTP server can do per transfer, as a yardstick for bench/tftp-bench.sh: how fast a
 * client lets any server go. One transfer at a time, read requests only, octet mode; a window
 * (RFC 7440) is one pread and one UDP GSO send per 64 KiB, an ACK one blocking recv. It keeps no
 * session table, checks no TID and serves no second client: not a server for anything but this
 * measurement.
 *
 *   tftpmin ROOT ADDRESS PORT
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#define MAX_WINDOW 64
#define MAX_BLOCK 65464
#define GSO_BYTES 65507
#define TIMEOUT_MS 1000
#define RETRIES 5

/* The 16-bit block number of the ACK that arrived, -1 on timeout, -2 for an ERROR or junk. */
static int wait_ack(int sock) {
    struct pollfd p = {sock, POLLIN, 0};
    unsigned char b[516];
    if (poll(&p, 1, TIMEOUT_MS) <= 0) return -1;
    ssize_t n = recv(sock, b, sizeof b, 0);
    if (n < 4 || b[0] != 0 || b[1] != 4) return -2;
    return (b[2] << 8) | b[3];
}

static void serve(const char *root, const struct sockaddr_in *local, const struct sockaddr_in *client, char *request, size_t length) {
    static unsigned char data[MAX_WINDOW * MAX_BLOCK], out[GSO_BYTES + 4 + MAX_BLOCK];
    char *p = request + 2, *end = request + length;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", root, p);
    p += strlen(p) + 1;
    p += strlen(p) + 1;  /* mode: octet assumed */
    int blksize = 512, window = 1, tsize = 0, options = 0;
    while (p < end) {
        char *key = p;
        p += strlen(p) + 1;
        if (p >= end) break;
        char *value = p;
        p += strlen(p) + 1;
        if (!strcasecmp(key, "blksize")) blksize = atoi(value), options = 1;
        else if (!strcasecmp(key, "windowsize")) window = atoi(value), options = 1;
        else if (!strcasecmp(key, "tsize")) tsize = 1, options = 1;
    }
    if (blksize < 8 || blksize > MAX_BLOCK) blksize = 512;
    if (window < 1 || window > MAX_WINDOW) window = MAX_WINDOW;
    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in tid = *local;
    tid.sin_port = 0;
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (sock < 0 || bind(sock, (const void *) &tid, sizeof tid) || connect(sock, (const void *) client, sizeof *client) || fd < 0 || fstat(fd, &st)) {
        static const unsigned char missing[] = {0, 5, 0, 1, 'n', 'o', ' ', 'f', 'i', 'l', 'e', 0};
        if (sock >= 0) send(sock, missing, sizeof missing, 0);
        goto done;
    }
    long long blocks = st.st_size / blksize + 1, acked = 0;
    int tries = 0;
    if (options) {
        unsigned char oack[128];
        int n = 2;
        oack[0] = 0, oack[1] = 6;
        n += sprintf((char *) oack + n, "blksize") + 1;
        n += sprintf((char *) oack + n, "%d", blksize) + 1;
        if (window > 1) {
            n += sprintf((char *) oack + n, "windowsize") + 1;
            n += sprintf((char *) oack + n, "%d", window) + 1;
        }
        if (tsize) {
            n += sprintf((char *) oack + n, "tsize") + 1;
            n += sprintf((char *) oack + n, "%lld", (long long) st.st_size) + 1;
        }
        do {
            if (tries++ > RETRIES) goto done;
            send(sock, oack, n, 0);
        } while (wait_ack(sock) != 0);
    }
    int segment = 4 + blksize;
    setsockopt(sock, IPPROTO_UDP, UDP_SEGMENT, &segment, sizeof segment);
    while (acked < blocks) {
        long long first = acked + 1, count = blocks - acked < window ? blocks - acked : window;
        ssize_t got = pread(fd, data, count * blksize, (first - 1) * blksize);
        if (got < 0) got = 0;
        size_t fill = 0;
        for (long long i = 0; i < count; i++) {
            long long block = first + i, offset = i * blksize;
            size_t n = got - offset >= blksize ? (size_t) blksize : got > offset ? (size_t) (got - offset) : 0;
            out[fill] = 0, out[fill + 1] = 3, out[fill + 2] = (block >> 8) & 255, out[fill + 3] = block & 255;
            memcpy(out + fill + 4, data + offset, n);
            fill += 4 + n;
            /* One GSO send per 64 KiB of segments; a short block ends a send, as GSO requires. */
            if (i == count - 1 || n < (size_t) blksize || fill + segment > GSO_BYTES) {
                send(sock, out, fill, 0);
                fill = 0;
            }
        }
        int ack = wait_ack(sock);
        if (ack == -2) goto done;
        if (ack < 0) {
            if (++tries > RETRIES) goto done;
            continue;
        }
        tries = 0;
        /* The absolute block of a 16-bit ACK: the one at or before the last block sent (rollover to 0). */
        long long sent = first + count - 1, back = ((sent & 0xffff) - ack) & 0xffff;
        if (sent - back > acked) acked = sent - back;
    }
done:
    if (fd >= 0) close(fd);
    if (sock >= 0) close(sock);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: tftpmin ROOT ADDRESS PORT\n");
        return 2;
    }
    struct sockaddr_in local = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[3]))};
    int listener = socket(AF_INET, SOCK_DGRAM, 0);
    if (inet_pton(AF_INET, argv[2], &local.sin_addr) != 1 || bind(listener, (const void *) &local, sizeof local)) {
        perror("tftpmin: bind");
        return 1;
    }
    printf("listening tftp udp %s:%s\n", argv[2], argv[3]);
    fflush(stdout);
    for (;;) {
        char request[2048];
        struct sockaddr_in client;
        socklen_t size = sizeof client;
        ssize_t n = recvfrom(listener, request, sizeof request - 1, 0, (void *) &client, &size);
        if (n < 4 || request[0] != 0 || request[1] != 1) continue;
        request[n] = 0;
        serve(argv[1], &local, &client, request, n);
    }
}
