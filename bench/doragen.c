/*
 * DHCP server load generator for bench/dora-bench.sh: full DORA exchanges (DISCOVER, OFFER, REQUEST,
 * ACK; RFC 2131 §3.1), the same program against bootferry's server mode, dnsmasq and Kea.
 *
 *   doragen WARMUP SECONDS WINDOW SERVER_PID SERVER GIADDR POOL_FIRST POOL_LAST
 *
 * It plays a relay agent (RFC 2131 §4.1): bound to port 67, it sends each client's messages to
 * SERVER:67 with giaddr GIADDR, and the server answers to GIADDR:67. WINDOW clients are in the middle
 * of an exchange at once, each with a MAC and an xid of its own (52:54:xx:xx:xx:xx from the exchange's
 * number, never reused, so every exchange is a new client that needs a new address). A client
 * DISCOVERs; its OFFER's yiaddr and server identifier (option 54) go into its REQUEST (RFC 2131
 * §4.3.2, SELECTING: options 50 and 54, same xid); its ACK ends the exchange, and the slot starts the
 * next one. A client with no answer 1 s after its last message, or a NAK, counts as lost and the slot
 * starts a new client.
 *
 * Latency is per exchange, from the DISCOVER's send time to the kernel's receive timestamp of the ACK
 * (SO_TIMESTAMPNS, socket(7)). WARMUP seconds of warm-up, then SECONDS measured; exchanges whose
 * DISCOVER left in the measured seconds and whose ACK came before its end are counted.
 *
 * Correctness, over the whole run (warm-up too): every ACK's yiaddr must be the address the client
 * requested, inside POOL_FIRST..POOL_LAST, and given to no earlier client (a bitmap of the pool).
 *
 * Output, one line: exchanges/s, p50 ms, p99 ms, lost, NAKs, ACKs in the whole run, ACKs with a wrong
 * or out-of-pool address, addresses ACKed twice, µs of CPU per exchange for this generator and for
 * SERVER_PID (all threads), and the share of the machine left idle (cpustat.h).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "udploop.h"

#define MAX_POOL (1u << 24)

/* RFC 2131 §2 and §3; RFC 2132 §9.6 (message types), §9.7 (server identifier), §3 (end). */
#define BOOTREQUEST 1
#define BOOTREPLY 2
#define OPTIONS_AT 240
#define OPT_PAD 0
#define OPT_REQUESTED_ADDRESS 50
#define OPT_MESSAGE_TYPE 53
#define OPT_SERVER_IDENTIFIER 54
#define OPT_PARAMETER_LIST 55
#define OPT_END 255
enum { DISCOVER = 1, OFFER = 2, REQUEST = 3, ACK = 5, NAK = 6 };

static uint32_t parse_ipv4(const char *text) {
    struct in_addr a;
    if (inet_pton(AF_INET, text, &a) != 1) {
        fprintf(stderr, "not an IPv4 address: %s\n", text);
        exit(2);
    }
    return ntohl(a.s_addr);
}

static void put32(uint8_t *p, uint32_t v) {
    p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

static uint32_t get32(const uint8_t *p) {
    return (uint32_t) p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/* Where one client is. */
struct slot {
    uint32_t xid;
    int waiting_for;         /* OFFER or ACK */
    uint32_t offered;        /* the OFFER's yiaddr, requested in the REQUEST */
    uint32_t server_id;
    long long started;       /* the DISCOVER's send time */
    long long last_sent;
};

static struct slot slots[MAX_WINDOW];
static int window;
static uint32_t giaddr;
static uint32_t pool_first, pool_last;
static uint8_t *given;  /* a bit per pool address ACKed */
static long long naks, acks, wrong, twice, late;

static void request_sent(const uint8_t *m, long long at) {
    struct slot *c = &slots[get32(m + 4) % (uint32_t) window];
    c->last_sent = at;
    if (c->waiting_for == OFFER) c->started = at;
}

/* A client's message as a relay agent forwards it: hops 1, giaddr set (RFC 2131 §4.1). */
static void queue(const struct slot *c, int type) {
    uint8_t *m = next_packet();
    memset(m, 0, OPTIONS_AT + 32);
    m[0] = BOOTREQUEST;
    m[1] = 1;  /* htype Ethernet */
    m[2] = 6;  /* hlen */
    m[3] = 1;  /* hops: one relay */
    put32(m + 4, c->xid);
    put32(m + 24, giaddr);
    m[28] = 0x52; m[29] = 0x54;
    put32(m + 30, c->xid);  /* chaddr: the exchange's own MAC */
    put32(m + 236, 0x63825363);  /* magic cookie, RFC 2131 §3 */
    uint8_t *o = m + OPTIONS_AT;
    *o++ = OPT_MESSAGE_TYPE; *o++ = 1; *o++ = (uint8_t) type;
    if (type == REQUEST) {
        *o++ = OPT_REQUESTED_ADDRESS; *o++ = 4; put32(o, c->offered); o += 4;
        *o++ = OPT_SERVER_IDENTIFIER; *o++ = 4; put32(o, c->server_id); o += 4;
    }
    /* subnet mask, router, lease time, server identifier */
    *o++ = OPT_PARAMETER_LIST; *o++ = 4; *o++ = 1; *o++ = 3; *o++ = 51; *o++ = 54;
    *o++ = OPT_END;
    size_t length = (size_t) (o - m);
    queue_packet(length < 300 ? 300 : length);  /* BOOTP's minimum, RFC 1542 §2.1 */
}

/* The slot's next client: a new MAC and xid, and its DISCOVER. */
static void next_client(struct slot *c) {
    c->xid += (uint32_t) window;
    c->waiting_for = OFFER;
    queue(c, DISCOVER);
}

/* Option `code` of a reply, or NULL; *length is set. */
static const uint8_t *option(const uint8_t *m, size_t size, int code, int *length) {
    if (size < OPTIONS_AT || get32(m + 236) != 0x63825363) return NULL;
    for (size_t i = OPTIONS_AT; i < size;) {
        if (m[i] == OPT_PAD) { i++; continue; }
        if (m[i] == OPT_END || i + 1 >= size || i + 2 + m[i + 1] > size) return NULL;
        if (m[i] == code) {
            *length = m[i + 1];
            return m + i + 2;
        }
        i += 2 + (size_t) m[i + 1];
    }
    return NULL;
}

/* A client with no answer 1 s after its last message is lost; its slot starts a new client. */
static void sweep(long long now) {
    for (int i = 0; i < window; i++) {
        if (now - slots[i].last_sent > LOST_AFTER_NANOS) {
            count_lost(slots[i].started);
            next_client(&slots[i]);
        }
    }
}

static void answer(const uint8_t *m, size_t size, long long at) {
    int length;
    const uint8_t *type = option(m, size, OPT_MESSAGE_TYPE, &length);
    if (size < OPTIONS_AT || m[0] != BOOTREPLY || !type || length != 1) return;
    uint32_t xid = get32(m + 4);
    struct slot *c = &slots[xid % (uint32_t) window];
    if (c->xid != xid || c->waiting_for != (*type == NAK ? ACK : *type)) {  /* a duplicate or a late answer */
        late++;
        return;
    }
    if (*type == OFFER) {
        const uint8_t *id = option(m, size, OPT_SERVER_IDENTIFIER, &length);
        if (!id || length != 4) {
            fprintf(stderr, "an OFFER without a server identifier\n");
            exit(1);
        }
        c->offered = get32(m + 16);
        c->server_id = get32(id);
        c->waiting_for = ACK;
        queue(c, REQUEST);
        return;
    }
    if (*type == NAK) {
        if (measured(c->started)) naks++;
        next_client(c);
        return;
    }
    uint32_t yiaddr = get32(m + 16);
    acks++;
    if (yiaddr != c->offered || yiaddr < pool_first || yiaddr > pool_last) {
        wrong++;
    } else {
        uint32_t bit = yiaddr - pool_first;
        if (given[bit / 8] & (1u << (bit % 8))) twice++;
        given[bit / 8] |= (uint8_t) (1u << (bit % 8));
    }
    answered(c->started, at);
    next_client(c);
}

int main(int argc, char **argv) {
    if (argc != 9) {
        fprintf(stderr, "usage: doragen WARMUP SECONDS WINDOW SERVER_PID SERVER GIADDR POOL_FIRST POOL_LAST\n");
        return 2;
    }
    int warmup = atoi(argv[1]);
    int seconds = atoi(argv[2]);
    window = atoi(argv[3]);
    int server = atoi(argv[4]);
    uint32_t server_address = parse_ipv4(argv[5]);
    giaddr = parse_ipv4(argv[6]);
    pool_first = parse_ipv4(argv[7]);
    pool_last = parse_ipv4(argv[8]);
    if (warmup < 0 || seconds <= 0 || window <= 0 || window > MAX_WINDOW || pool_last < pool_first
            || pool_last - pool_first >= MAX_POOL) {
        fprintf(stderr, "WARMUP >= 0, SECONDS > 0, 0 < WINDOW <= %d, POOL_FIRST <= POOL_LAST, at most %u addresses\n",
                MAX_WINDOW, MAX_POOL);
        return 2;
    }
    given = calloc((pool_last - pool_first) / 8 + 1, 1);
    if (!given) die("calloc");

    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0) die("socket");
    struct sockaddr_in relay = {.sin_family = AF_INET, .sin_port = htons(67), .sin_addr.s_addr = htonl(INADDR_ANY)};
    if (bind(sock, (struct sockaddr *) &relay, sizeof relay) < 0) die("bind 0.0.0.0:67");
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(67), .sin_addr.s_addr = htonl(server_address)};
    loop_open(sock, &to, sizeof to);

    /* Slot i runs the clients with xid i + k * window: xid % window names the slot. */
    for (int i = 0; i < window; i++) {
        slots[i].xid = (uint32_t) i - (uint32_t) window;
        next_client(&slots[i]);
    }
    struct loop_result r = loop_run(server, warmup, seconds);
    printf("%.0f %.3f %.3f %lld %lld %lld %lld %lld %.2f %.2f %.0f\n", r.per_second, r.p50_ms, r.p99_ms,
           r.lost, naks, acks, wrong, twice, r.self_us, r.server_us, r.idle);
    fprintf(stderr, "doragen: %lld answers were duplicates or came late\n", late);
    return 0;
}
