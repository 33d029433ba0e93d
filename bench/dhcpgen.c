/*
 * ProxyDHCP load generator for bench/dhcp-bench.sh: the same program drives bootferry and dnsmasq.
 *
 *   dhcpgen TEMPLATE WARMUP SECONDS WINDOW SERVER_PID broadcast|unicast
 *
 * A closed loop on UDP port 68 (udploop.h, xidslots.h): WINDOW copies of the captured DISCOVER in TEMPLATE (a
 * fresh xid and MAC each, so no per-MAC rate limit applies) are in flight to port 67 on lo: to
 * 255.255.255.255 as PXE clients send them (RFC 2131 §4.4.1), so each server reads them on the socket
 * that serves real clients, or to 127.0.0.1 as a relay agent sends (RFC 2131 §4.1), which bootferry
 * reads and answers on one socket. Every OFFER that answers an outstanding xid frees its slot for the
 * next DISCOVER. A DISCOVER unanswered after 1 s counts as lost and is replaced. WARMUP seconds of
 * warm-up, then SECONDS measured.
 *
 * Output, one line: answers/s, p50 ms, p99 ms, lost, then CPU over the measured seconds as µs per
 * answer for this generator and for SERVER_PID (all its threads, /proc/PID/stat utime+stime, which
 * include the softirq work of loopback delivery done in each process's context), and the share of
 * both cores the machine left idle (/proc/stat).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "xidslots.h"

#define BOOTREPLY 2

static uint8_t template_bytes[PACKET];
static size_t template_length;

static uint32_t xid_of(const uint8_t *m) {
    return (uint32_t) m[4] << 24 | m[5] << 16 | m[6] << 8 | m[7];  /* RFC 2131 §2: xid at offset 4 */
}

/* The captured DISCOVER with this xid and a MAC of its own, 52:54:01:xx:xx:xx (chaddr at 28). */
static size_t build_request(uint8_t *m, uint32_t xid) {
    memcpy(m, template_bytes, template_length);
    m[4] = xid >> 24; m[5] = xid >> 16; m[6] = xid >> 8; m[7] = xid;
    m[30] = 1; m[31] = xid >> 16; m[32] = xid >> 8; m[33] = xid;
    return template_length;
}

static int is_answer(const uint8_t *m, size_t size) {
    return size >= 240 && m[0] == BOOTREPLY;
}

int main(int argc, char **argv) {
    if (argc != 7 || (strcmp(argv[6], "broadcast") != 0 && strcmp(argv[6], "unicast") != 0)) {
        fprintf(stderr, "usage: dhcpgen TEMPLATE WARMUP SECONDS WINDOW SERVER_PID broadcast|unicast\n");
        return 2;
    }
    int broadcast = strcmp(argv[6], "broadcast") == 0;
    struct run_args run = slot_args(argv + 2);
    template_length = read_capture(argv[1], template_bytes);
    if (template_length < 240) {
        fprintf(stderr, "%s: not a DHCP message\n", argv[1]);
        return 2;
    }

    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0) die("socket");
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(s, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
    struct sockaddr_in client = {.sin_family = AF_INET, .sin_port = htons(68), .sin_addr.s_addr = htonl(INADDR_ANY)};
    if (bind(s, (struct sockaddr *) &client, sizeof client) < 0) die("bind 0.0.0.0:68");
    /* A namespace with only lo has no route for 255.255.255.255: a socket tied to lo needs none. */
    if (setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, "lo", 3) < 0) die("SO_BINDTODEVICE lo");
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(67),
                             .sin_addr.s_addr = htonl(broadcast ? INADDR_BROADCAST : INADDR_LOOPBACK)};
    loop_open(s, &to, sizeof to);

    slots_run("dhcpgen", run);
    return 0;
}
