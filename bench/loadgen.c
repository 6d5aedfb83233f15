// loadgen: cheap, time-bounded load for mona-nc's benchmarks: one thread, epoll, no allocation in the loop.
// Written in C so that the generator is not the bottleneck on a 2-core machine (a Node generator tops out near
// the server it measures). Every mode stops by itself; results are one JSON line on stdout.
//
//   loadgen echo  HOST PORT CONNS SECONDS [SIZE=64] [WARMUP_S=0.5]
//       CONNS connections doing ping-pong: send SIZE bytes, wait for all of them back, again. Round trips/s,
//       p50/p99 latency (microsecond histogram) over SECONDS after the warm-up.
//   loadgen storm HOST PORT CONNS TIMEOUT_S [HOLD_S=0]
//       CONNS connections opened at once, each sends 64 bytes and waits for the echo. Time until all were served.
//       Then holds them idle for HOLD_S (or until stdin closes): the idle-memory case.
//   loadgen udp   HOST PORT SECONDS [SIZE=64] [RATE=0]
//       Datagrams of SIZE bytes with sendmmsg for SECONDS, as fast as possible (RATE 0) or RATE per second.
//   loadgen serve PORT SECONDS
//       A C epoll echo server on 127.0.0.1:PORT, to measure the generator's own ceiling.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_US 2000000
static uint32_t hist[MAX_US + 1];

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what) {
  printf("{\"error\":\"%s: %s\"}\n", what, strerror(errno));
  exit(1);
}

static struct sockaddr_in target(const char *host, const char *port) {
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)atoi(port));
  if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
    errno = EINVAL;
    die("host must be an IPv4 literal");
  }
  return sa;
}

static uint64_t percentile(uint64_t total, double p) {
  uint64_t want = (uint64_t)(p * (double)total), seen = 0;
  for (uint32_t us = 0; us <= MAX_US; us++) {
    seen += hist[us];
    if (seen > want) return us;
  }
  return MAX_US;
}

struct conn {
  int fd;
  int got;         // bytes of the current round trip received
  int served;      // storm: the echo arrived
  uint64_t sent;   // when the current round trip started
};

static int nonblocking_connect(const struct sockaddr_in *sa) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (fd < 0) die("socket");
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(fd, (const struct sockaddr *)sa, sizeof *sa) < 0 && errno != EINPROGRESS) die("connect");
  return fd;
}

// Ping-pong on CONNS connections. The payload is constant: only lengths matter to the server.
static int mode_echo(int argc, char **argv) {
  if (argc < 6) return 2;
  struct sockaddr_in sa = target(argv[2], argv[3]);
  int n = atoi(argv[4]);
  double seconds = atof(argv[5]);
  int size = argc > 6 ? atoi(argv[6]) : 64;
  double warmup = argc > 7 ? atof(argv[7]) : 0.5;
  char out[65536], in[65536];
  memset(out, 'x', sizeof out);
  if (size <= 0 || size > (int)sizeof out) return 2;
  struct conn *c = calloc((size_t)n, sizeof *c);
  int ep = epoll_create1(0);
  for (int i = 0; i < n; i++) {
    c[i].fd = nonblocking_connect(&sa);
    struct epoll_event ev = {.events = EPOLLOUT, .data.u32 = (uint32_t)i};
    epoll_ctl(ep, EPOLL_CTL_ADD, c[i].fd, &ev);
  }
  // Wait for every connect, then start all the round trips.
  int pending = n;
  struct epoll_event evs[512];
  uint64_t deadline = now_ns() + 10000000000ull;
  while (pending > 0) {
    if (now_ns() > deadline) { errno = ETIMEDOUT; die("connect"); }
    int k = epoll_wait(ep, evs, 512, 100);
    for (int j = 0; j < k; j++) {
      struct conn *x = &c[evs[j].data.u32];
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(x->fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err) { errno = err; die("connect"); }
      struct epoll_event ev = {.events = EPOLLIN, .data.u32 = evs[j].data.u32};
      epoll_ctl(ep, EPOLL_CTL_MOD, x->fd, &ev);
      pending--;
    }
  }
  uint64_t start = now_ns();
  uint64_t measure = start + (uint64_t)(warmup * 1e9);
  uint64_t end = measure + (uint64_t)(seconds * 1e9);
  for (int i = 0; i < n; i++) {
    c[i].sent = now_ns();
    if (write(c[i].fd, out, (size_t)size) != size) die("write");
  }
  uint64_t rtts = 0, errors = 0;
  for (;;) {
    uint64_t t = now_ns();
    if (t >= end) break;
    int k = epoll_wait(ep, evs, 512, (int)((end - t) / 1000000 + 1));
    for (int j = 0; j < k; j++) {
      struct conn *x = &c[evs[j].data.u32];
      ssize_t r = read(x->fd, in, sizeof in);
      if (r <= 0) {
        if (r < 0 && errno == EAGAIN) continue;
        errors++;
        epoll_ctl(ep, EPOLL_CTL_DEL, x->fd, NULL);
        continue;
      }
      x->got += (int)r;
      while (x->got >= size) {
        x->got -= size;
        uint64_t done = now_ns();
        if (done >= measure && done < end) {
          uint64_t us = (done - x->sent) / 1000;
          hist[us > MAX_US ? MAX_US : us]++;
          rtts++;
        }
        x->sent = done;
        if (write(x->fd, out, (size_t)size) != size) errors++;
      }
    }
  }
  // Its own CPU (user + system): near 1.0 core, the generator is the limit, not the server.
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
  printf("{\"mode\":\"echo\",\"conns\":%d,\"seconds\":%.3f,\"rtts\":%llu,\"rate\":%.1f,\"p50_us\":%llu,\"p99_us\":%llu,\"errors\":%llu,\"cpu_s\":%.3f}\n",
         n, seconds, (unsigned long long)rtts, (double)rtts / seconds, (unsigned long long)percentile(rtts, 0.50),
         (unsigned long long)percentile(rtts, 0.99), (unsigned long long)errors, cpu);
  return 0;
}

// All connections at once; each is served when its 64 bytes come back.
static int mode_storm(int argc, char **argv) {
  if (argc < 6) return 2;
  struct sockaddr_in sa = target(argv[2], argv[3]);
  int n = atoi(argv[4]);
  double timeout = atof(argv[5]);
  double hold = argc > 6 ? atof(argv[6]) : 0;
  char out[64], in[4096];
  memset(out, 's', sizeof out);
  struct conn *c = calloc((size_t)n, sizeof *c);
  int ep = epoll_create1(0);
  uint64_t start = now_ns();
  for (int i = 0; i < n; i++) {
    c[i].fd = nonblocking_connect(&sa);
    struct epoll_event ev = {.events = EPOLLOUT, .data.u32 = (uint32_t)i};
    epoll_ctl(ep, EPOLL_CTL_ADD, c[i].fd, &ev);
  }
  uint64_t deadline = start + (uint64_t)(timeout * 1e9), last = start, connected_last = start;
  int served = 0, failed = 0, connected = 0;
  struct epoll_event evs[512];
  while (served + failed < n && now_ns() < deadline) {
    int k = epoll_wait(ep, evs, 512, 50);
    for (int j = 0; j < k; j++) {
      struct conn *x = &c[evs[j].data.u32];
      if (evs[j].events & EPOLLOUT) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(x->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = evs[j].data.u32};
        if (err || write(x->fd, out, sizeof out) != (ssize_t)sizeof out) {
          failed++;
          epoll_ctl(ep, EPOLL_CTL_DEL, x->fd, NULL);
          continue;
        }
        connected++;
        connected_last = now_ns();
        epoll_ctl(ep, EPOLL_CTL_MOD, x->fd, &ev);
        continue;
      }
      ssize_t r = read(x->fd, in, sizeof in);
      if (r <= 0) {
        if (r < 0 && errno == EAGAIN) continue;
        failed++;
        epoll_ctl(ep, EPOLL_CTL_DEL, x->fd, NULL);
        continue;
      }
      x->got += (int)r;
      if (x->got >= (int)sizeof out && !x->served) {
        x->served = 1;
        served++;
        last = now_ns();
        uint64_t us = (last - start) / 1000;
        hist[us > MAX_US ? MAX_US : us]++;
      }
    }
  }
  printf("{\"mode\":\"storm\",\"conns\":%d,\"served\":%d,\"failed\":%d,\"connected\":%d,\"connect_ms\":%.1f,\"all_ms\":%.1f,\"p50_ms\":%.1f,\"timeout_s\":%.1f}\n",
         n, served, failed, connected, (double)(connected_last - start) / 1e6, (double)(last - start) / 1e6,
         (double)percentile((uint64_t)served, 0.5) / 1000.0, timeout);
  fflush(stdout);
  if (hold > 0) {
    // Idle connections: nothing is sent; stop at HOLD_S or when stdin closes.
    struct pollfd p = {.fd = 0, .events = POLLIN};
    uint64_t until = now_ns() + (uint64_t)(hold * 1e9);
    char b[256];
    while (now_ns() < until) {
      if (poll(&p, 1, 100) > 0 && read(0, b, sizeof b) <= 0) break;
    }
  }
  return 0;
}

static int mode_udp(int argc, char **argv) {
  if (argc < 5) return 2;
  struct sockaddr_in sa = target(argv[2], argv[3]);
  double seconds = atof(argv[4]);
  int size = argc > 5 ? atoi(argv[5]) : 64;
  double rate = argc > 6 ? atof(argv[6]) : 0;
  if (size <= 0 || size > 65507) return 2;
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) die("socket");
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) die("connect");
  enum { BATCH = 32 };
  static char payload[65507];
  memset(payload, 'u', sizeof payload);
  struct iovec iov[BATCH];
  struct mmsghdr msgs[BATCH];
  memset(msgs, 0, sizeof msgs);
  for (int i = 0; i < BATCH; i++) {
    iov[i].iov_base = payload;
    iov[i].iov_len = (size_t)size;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  uint64_t start = now_ns(), end = start + (uint64_t)(seconds * 1e9), sent = 0, refused = 0;
  for (;;) {
    uint64_t t = now_ns();
    if (t >= end) break;
    if (rate > 0) {
      uint64_t due = start + (uint64_t)((double)sent / rate * 1e9);
      if (due > t) {
        struct timespec ts = {0, (long)(due - t < 1000000 ? due - t : 1000000)};
        nanosleep(&ts, NULL);
        continue;
      }
    }
    int k = sendmmsg(fd, msgs, BATCH, 0);
    if (k > 0) sent += (uint64_t)k;
    else if (errno == ECONNREFUSED) refused++;
  }
  double took = (double)(now_ns() - start) / 1e9;
  printf("{\"mode\":\"udp\",\"size\":%d,\"sent\":%llu,\"seconds\":%.3f,\"rate\":%.1f,\"refused\":%llu}\n", size,
         (unsigned long long)sent, took, (double)sent / took, (unsigned long long)refused);
  return 0;
}

static int mode_serve(int argc, char **argv) {
  if (argc < 4) return 2;
  struct sockaddr_in sa = target("127.0.0.1", argv[2]);
  double seconds = atof(argv[3]);
  int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(ls, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(ls, 4096) < 0) die("listen");
  socklen_t len = sizeof sa;
  getsockname(ls, (struct sockaddr *)&sa, &len);
  fprintf(stderr, "listening on 127.0.0.1:%d\n", ntohs(sa.sin_port));
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = ls};
  epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
  uint64_t end = now_ns() + (uint64_t)(seconds * 1e9);
  struct epoll_event evs[512];
  char buf[65536];
  while (now_ns() < end) {
    int k = epoll_wait(ep, evs, 512, 100);
    for (int j = 0; j < k; j++) {
      int fd = evs[j].data.fd;
      if (fd == ls) {
        int c;
        while ((c = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
          setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          struct epoll_event e = {.events = EPOLLIN, .data.fd = c};
          epoll_ctl(ep, EPOLL_CTL_ADD, c, &e);
        }
        continue;
      }
      ssize_t r = read(fd, buf, sizeof buf);
      if (r > 0) {
        if (write(fd, buf, (size_t)r) != r) close(fd);  // ping-pong never fills the send buffer
      } else if (r == 0 || errno != EAGAIN) {
        close(fd);
      }
    }
  }
  return 0;
}

int main(int argc, char **argv) {
  int rc = 2;
  if (argc > 1 && !strcmp(argv[1], "echo")) rc = mode_echo(argc, argv);
  else if (argc > 1 && !strcmp(argv[1], "storm")) rc = mode_storm(argc, argv);
  else if (argc > 1 && !strcmp(argv[1], "udp")) rc = mode_udp(argc, argv);
  else if (argc > 1 && !strcmp(argv[1], "serve")) rc = mode_serve(argc, argv);
  if (rc == 2) fprintf(stderr, "usage: loadgen echo|storm|udp|serve ... (see the comment at the top of loadgen.c)\n");
  return rc;
}
