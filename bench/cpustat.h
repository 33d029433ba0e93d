/*
 * CPU accounting shared by the bench generators (dhcpgen.c, dhcp6gen.c, doragen.c, through udploop.h): the CPU time a process spent
 * and the share of the machine left idle, read from /proc.
 */
#ifndef BENCH_CPUSTAT_H
#define BENCH_CPUSTAT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static void die(const char *what) {
    perror(what);
    exit(1);
}

/* utime + stime of a process, all threads, in clock ticks (proc(5): fields 14 and 15). */
static long long process_ticks(int pid) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) die(path);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');  /* the command name may hold spaces */
    unsigned long long utime, stime;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2) {
        fprintf(stderr, "cannot parse %s\n", path);
        exit(1);
    }
    return (long long) (utime + stime);
}

/* All and idle ticks of the machine, from the first line of /proc/stat. */
static void machine_ticks(long long *all, long long *idle) {
    FILE *f = fopen("/proc/stat", "r");
    if (!f) die("/proc/stat");
    unsigned long long v[8] = {0};
    if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 8) {
        fprintf(stderr, "cannot parse /proc/stat\n");
        exit(1);
    }
    fclose(f);
    *all = 0;
    for (int i = 0; i < 8; i++) *all += (long long) v[i];
    *idle = (long long) (v[3] + v[4]);
}

/* What a measurement starts and ends with. */
struct cpu_mark {
    long long server_ticks, all_ticks, idle_ticks;
    struct rusage self;
};

static struct cpu_mark cpu_mark(int server) {
    struct cpu_mark m;
    m.server_ticks = process_ticks(server);
    machine_ticks(&m.all_ticks, &m.idle_ticks);
    getrusage(RUSAGE_SELF, &m.self);
    return m;
}

/* Between two marks: µs of CPU per answer of this process and of the server, and % of the machine idle. */
static void cpu_between(const struct cpu_mark *a, const struct cpu_mark *b, long long answers,
                        double *self_us, double *server_us, double *idle) {
    double per = answers ? (double) answers : 1;
    double tick_us = 1e6 / (double) sysconf(_SC_CLK_TCK);
    *self_us = ((b->self.ru_utime.tv_sec - a->self.ru_utime.tv_sec + b->self.ru_stime.tv_sec - a->self.ru_stime.tv_sec) * 1e6
            + (b->self.ru_utime.tv_usec - a->self.ru_utime.tv_usec + b->self.ru_stime.tv_usec - a->self.ru_stime.tv_usec)) / per;
    *server_us = (double) (b->server_ticks - a->server_ticks) * tick_us / per;
    *idle = b->all_ticks > a->all_ticks
            ? 100.0 * (double) (b->idle_ticks - a->idle_ticks) / (double) (b->all_ticks - a->all_ticks) : 0;
}

static int compare_u32(const void *a, const void *b) {
    unsigned x = *(const unsigned *) a, y = *(const unsigned *) b;
    return x < y ? -1 : x > y;
}

/* The q-quantile (0..1) of n latencies in ns, sorted here, in ms; -1 when there are none. */
static double quantile_ms(unsigned *latencies, size_t n, double q) {
    if (n == 0) return -1;
    qsort(latencies, n, sizeof *latencies, compare_u32);
    size_t i = (size_t) ((double) n * q);
    return latencies[i < n ? i : n - 1] / 1e6;
}

#endif
