/*
 * A UDP socket read a batch of datagrams per system call (recvmmsg), for the syslog reader
 * thread (src/sensors/syslog/udp-worker.ts). Node 20 reads one datagram per callback, about
 * 2.5-3 us each on the development machine: a core at 350k msg/s. rsyslog's imudp reads with
 * recvmmsg; this does the same, and packs the datagrams straight into the batch buffers the
 * thread hands to the decoder (src/sensors/syslog/datagram-batch.ts), so JavaScript touches
 * each datagram once, when it is decoded.
 *
 *   open(host, port, recvBufferBytes, maxDatagramBytes, maxBatchCount)
 *     -> { reader, address, port, recvBufferBytes, forced }
 *   read(reader, bytes, ends, receivedAt, sources, addresses, count, timeoutMs) -> count
 *   discard(reader, timeoutMs) -> datagrams read and thrown away
 *   truncated(reader) -> datagrams longer than maxDatagramBytes so far (cut to that size)
 *   close(reader)
 *
 * Linux only (recvmmsg, SO_RCVBUFFORCE). The socket is blocking; reads use MSG_DONTWAIT and
 * wait in poll() only when there is nothing to read, so the calling thread sleeps instead of
 * spinning and still comes back within timeoutMs to look at its message port.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <node_api.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Datagrams asked of the kernel per recvmmsg call. */
#define SLOTS 64

typedef struct {
  uint8_t family; /* AF_INET or AF_INET6; 0 = empty */
  uint8_t addr[16];
  uint32_t scope; /* IPv6 link-local: the interface */
} source_key;

typedef struct {
  int fd;
  size_t slot_bytes;
  uint8_t* scratch; /* SLOTS slots of slot_bytes */
  struct mmsghdr msgs[SLOTS];
  struct iovec iov[SLOTS];
  struct sockaddr_storage from[SLOTS];
  /* datagrams received and not yet packed into a batch: msgs[pending_start, pending_end) */
  unsigned pending_start, pending_end;
  double pending_at;
  double truncated;
  /* distinct source addresses of the batch being filled: an open-addressing table of indexes + 1 */
  uint32_t table_size;
  uint16_t* table;
  source_key* keys; /* by index */
  uint32_t key_count;
  uint32_t max_batch_count;
} reader_t;

#define CHECK(env, call)                                  \
  do {                                                    \
    if ((call) != napi_ok) {                              \
      napi_throw_error((env), NULL, "N-API call failed"); \
      return NULL;                                        \
    }                                                     \
  } while (0)

static napi_value throw_errno(napi_env env, const char* syscall, int err) {
  char msg[256];
  const char* name = strerrorname_np(err);
  snprintf(msg, sizeof msg, "%s %s (%s)", syscall, name ? name : "E?", strerror(err));
  napi_value code, text, error;
  napi_create_string_utf8(env, name ? name : "E?", NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &text);
  napi_create_error(env, code, text, &error);
  napi_throw(env, error);
  return NULL;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec * 1e3 + (double)(ts.tv_nsec / 1000000);
}

static void reader_close(reader_t* r) {
  if (r->fd >= 0) close(r->fd);
  r->fd = -1;
}

static void reader_finalize(napi_env env, void* data, void* hint) {
  (void)env;
  (void)hint;
  reader_t* r = data;
  reader_close(r);
  free(r->scratch);
  free(r->table);
  free(r->keys);
  free(r);
}

static reader_t* get_reader(napi_env env, napi_value v) {
  void* data = NULL;
  if (napi_get_value_external(env, v, &data) != napi_ok || !data) {
    napi_throw_type_error(env, NULL, "not a UDP batch reader");
    return NULL;
  }
  return data;
}

static int get_typed(napi_env env, napi_value v, napi_typedarray_type want, void** data, size_t* length) {
  napi_typedarray_type type;
  napi_value ab;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, length, data, &ab, &offset) != napi_ok || type != want) {
    napi_throw_type_error(env, NULL, "batch arrays of the wrong type");
    return 0;
  }
  return 1;
}

/* The address as Node's dgram names it: a link-local IPv6 address with `%interface`. */
static napi_value address_string(napi_env env, const source_key* k) {
  char text[INET6_ADDRSTRLEN + IF_NAMESIZE + 1];
  if (!inet_ntop(k->family, k->addr, text, INET6_ADDRSTRLEN)) text[0] = 0;
  if (k->family == AF_INET6 && k->scope > 0 && IN6_IS_ADDR_LINKLOCAL((const struct in6_addr*)k->addr)) {
    size_t n = strlen(text);
    text[n] = '%';
    if (!if_indextoname(k->scope, text + n + 1)) snprintf(text + n + 1, IF_NAMESIZE, "%u", k->scope);
  }
  napi_value s;
  napi_create_string_latin1(env, text, NAPI_AUTO_LENGTH, &s);
  return s;
}

/* open(host, port, recvBufferBytes, maxDatagramBytes, maxBatchCount) */
static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char host[256];
  size_t host_len;
  uint32_t port, rcvbuf, max_datagram, max_batch;
  if (argc < 5 || napi_get_value_string_utf8(env, argv[0], host, sizeof host, &host_len) != napi_ok ||
      napi_get_value_uint32(env, argv[1], &port) != napi_ok || napi_get_value_uint32(env, argv[2], &rcvbuf) != napi_ok ||
      napi_get_value_uint32(env, argv[3], &max_datagram) != napi_ok || napi_get_value_uint32(env, argv[4], &max_batch) != napi_ok ||
      port > 65535 || max_datagram == 0 || max_datagram > 65535 || max_batch == 0 || max_batch > 65535) {
    napi_throw_type_error(env, NULL, "open(host, port, recvBufferBytes, maxDatagramBytes, maxBatchCount)");
    return NULL;
  }
  /* the family from the host's spelling, as Node's dgram does (udp6 when it has a colon) */
  int family = strchr(host, ':') ? AF_INET6 : AF_INET;
  struct addrinfo hints = {0}, *found = NULL;
  hints.ai_family = family;
  hints.ai_socktype = SOCK_DGRAM;
  char service[8];
  snprintf(service, sizeof service, "%u", port);
  int gai = getaddrinfo(host, service, &hints, &found);
  if (gai != 0) {
    char msg[320];
    snprintf(msg, sizeof msg, "getaddrinfo %s: %s", host, gai_strerror(gai));
    napi_throw_error(env, "ENOTFOUND", msg);
    return NULL;
  }
  int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    freeaddrinfo(found);
    return throw_errno(env, "socket", errno);
  }
  /* as rsyslog does: past net.core.rmem_max when the process may (CAP_NET_ADMIN), else up to it */
  int size = (int)(rcvbuf > INT32_MAX / 2 ? INT32_MAX / 2 : rcvbuf);
  int forced = setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) == 0;
  if (!forced) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  if (bind(fd, found->ai_addr, found->ai_addrlen) != 0) {
    int err = errno;
    freeaddrinfo(found);
    close(fd);
    return throw_errno(env, "bind", err);
  }
  freeaddrinfo(found);
  struct sockaddr_storage bound;
  socklen_t bound_len = sizeof bound;
  getsockname(fd, (struct sockaddr*)&bound, &bound_len);
  int granted = 0;
  socklen_t granted_len = sizeof granted;
  getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &granted, &granted_len);

  reader_t* r = calloc(1, sizeof *r);
  uint32_t table_size = 1;
  while (table_size < 2 * max_batch) table_size <<= 1;
  if (r) {
    r->slot_bytes = max_datagram;
    r->scratch = malloc((size_t)SLOTS * max_datagram);
    r->table = calloc(table_size, sizeof *r->table);
    r->keys = calloc(max_batch, sizeof *r->keys);
  }
  if (!r || !r->scratch || !r->table || !r->keys) {
    close(fd);
    if (r) {
      free(r->scratch);
      free(r->table);
      free(r->keys);
      free(r);
    }
    napi_throw_error(env, "ENOMEM", "UDP batch reader: out of memory");
    return NULL;
  }
  r->fd = fd;
  r->table_size = table_size;
  r->max_batch_count = max_batch;
  for (unsigned i = 0; i < SLOTS; i++) {
    r->iov[i].iov_base = r->scratch + (size_t)i * max_datagram;
    r->iov[i].iov_len = max_datagram;
    r->msgs[i].msg_hdr.msg_iov = &r->iov[i];
    r->msgs[i].msg_hdr.msg_iovlen = 1;
    r->msgs[i].msg_hdr.msg_name = &r->from[i];
  }

  napi_value out, external, v;
  CHECK(env, napi_create_object(env, &out));
  if (napi_create_external(env, r, reader_finalize, NULL, &external) != napi_ok) {
    reader_finalize(env, r, NULL);
    napi_throw_error(env, NULL, "N-API call failed");
    return NULL;
  }
  CHECK(env, napi_set_named_property(env, out, "reader", external));
  source_key k = {0};
  k.family = (uint8_t)bound.ss_family;
  if (bound.ss_family == AF_INET6) {
    memcpy(k.addr, &((struct sockaddr_in6*)&bound)->sin6_addr, 16);
    port = ntohs(((struct sockaddr_in6*)&bound)->sin6_port);
  } else {
    memcpy(k.addr, &((struct sockaddr_in*)&bound)->sin_addr, 4);
    port = ntohs(((struct sockaddr_in*)&bound)->sin_port);
  }
  CHECK(env, napi_set_named_property(env, out, "address", address_string(env, &k)));
  CHECK(env, napi_create_uint32(env, port, &v));
  CHECK(env, napi_set_named_property(env, out, "port", v));
  CHECK(env, napi_create_int32(env, granted, &v));
  CHECK(env, napi_set_named_property(env, out, "recvBufferBytes", v));
  CHECK(env, napi_get_boolean(env, forced, &v));
  CHECK(env, napi_set_named_property(env, out, "forced", v));
  return out;
}

/* Up to SLOTS datagrams from the socket into the scratch slots; waits up to timeout_ms when there are none. 1 read, 0 none, -1 error (thrown). */
static int fill(napi_env env, reader_t* r, int timeout_ms) {
  for (;;) {
    for (unsigned i = 0; i < SLOTS; i++) {
      r->msgs[i].msg_hdr.msg_namelen = sizeof r->from[i];
      r->msgs[i].msg_hdr.msg_flags = 0;
    }
    int n = recvmmsg(r->fd, r->msgs, SLOTS, MSG_DONTWAIT, NULL);
    if (n > 0) {
      r->pending_start = 0;
      r->pending_end = (unsigned)n;
      r->pending_at = now_ms();
      for (int i = 0; i < n; i++)
        if (r->msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
          r->truncated++;
          r->msgs[i].msg_len = (unsigned)r->slot_bytes;
        }
      return 1;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      throw_errno(env, "recvmmsg", errno);
      return -1;
    }
    if (timeout_ms <= 0) return 0;
    struct pollfd p = {.fd = r->fd, .events = POLLIN};
    int ready = poll(&p, 1, timeout_ms);
    if (ready < 0 && errno != EINTR) {
      throw_errno(env, "poll", errno);
      return -1;
    }
    if (ready <= 0) return 0;
    timeout_ms = 0; /* one wait per call */
  }
}

/* The index of this datagram's source in the batch's address list, adding it (and its string) when new. */
static int source_index(napi_env env, reader_t* r, const struct sockaddr_storage* from, napi_value addresses, uint16_t* index) {
  source_key k;
  memset(&k, 0, sizeof k);
  uint32_t h;
  if (from->ss_family == AF_INET6) {
    k.family = AF_INET6;
    memcpy(k.addr, &((const struct sockaddr_in6*)from)->sin6_addr, 16);
    k.scope = ((const struct sockaddr_in6*)from)->sin6_scope_id;
    uint32_t w[4];
    memcpy(w, k.addr, 16);
    h = (w[0] * 31u + w[1]) * 31u + w[2];
    h = (h * 31u + w[3]) * 31u + k.scope;
  } else {
    k.family = AF_INET;
    memcpy(k.addr, &((const struct sockaddr_in*)from)->sin_addr, 4);
    memcpy(&h, k.addr, 4);
  }
  h *= 2654435761u;
  uint32_t mask = r->table_size - 1;
  for (uint32_t i = (h >> 7) & mask;; i = (i + 1) & mask) {
    uint16_t slot = r->table[i];
    if (slot == 0) {
      if (r->key_count >= r->max_batch_count) return 0;
      r->keys[r->key_count] = k;
      if (napi_set_element(env, addresses, r->key_count, address_string(env, &k)) != napi_ok) return 0;
      r->table[i] = (uint16_t)(++r->key_count);
      *index = (uint16_t)(r->key_count - 1);
      return 1;
    }
    const source_key* have = &r->keys[slot - 1];
    if (have->family == k.family && have->scope == k.scope && memcmp(have->addr, k.addr, 16) == 0) {
      *index = (uint16_t)(slot - 1);
      return 1;
    }
  }
}

/*
 * read(reader, bytes, ends, receivedAt, sources, addresses, count, timeoutMs): appends datagrams
 * to the batch that holds `count` so far (count 0 starts a new one) until it is full by count
 * (ends.length) or by bytes, or the socket has nothing more; waits up to timeoutMs only when
 * nothing was added. Returns the batch's new count. What did not fit waits for the next batch.
 */
static napi_value js_read(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 8) {
    napi_throw_type_error(env, NULL, "read(reader, bytes, ends, receivedAt, sources, addresses, count, timeoutMs)");
    return NULL;
  }
  reader_t* r = get_reader(env, argv[0]);
  if (!r) return NULL;
  if (r->fd < 0) {
    napi_throw_error(env, "ERR_SOCKET_DGRAM_NOT_RUNNING", "the UDP batch reader is closed");
    return NULL;
  }
  uint8_t* bytes;
  uint32_t* ends;
  double* received_at;
  uint16_t* sources;
  size_t bytes_len, ends_len, at_len, sources_len;
  if (!get_typed(env, argv[1], napi_uint8_array, (void**)&bytes, &bytes_len) ||
      !get_typed(env, argv[2], napi_uint32_array, (void**)&ends, &ends_len) ||
      !get_typed(env, argv[3], napi_float64_array, (void**)&received_at, &at_len) ||
      !get_typed(env, argv[4], napi_uint16_array, (void**)&sources, &sources_len))
    return NULL;
  uint32_t count, timeout;
  CHECK(env, napi_get_value_uint32(env, argv[6], &count));
  CHECK(env, napi_get_value_uint32(env, argv[7], &timeout));
  size_t cap = ends_len;
  if (at_len < cap) cap = at_len;
  if (sources_len < cap) cap = sources_len;
  if (cap > r->max_batch_count) cap = r->max_batch_count;
  if (bytes_len < r->slot_bytes || count > cap) {
    napi_throw_range_error(env, NULL, "batch smaller than one datagram, or count past its end");
    return NULL;
  }
  if (count == 0) {
    memset(r->table, 0, r->table_size * sizeof *r->table);
    r->key_count = 0;
  }
  size_t used = count ? ends[count - 1] : 0;
  int waited = 0;
  while (count < cap) {
    if (r->pending_start == r->pending_end) {
      int got = fill(env, r, waited ? 0 : (int)timeout);
      if (got < 0) return NULL;
      waited = 1;
      if (got == 0) break;
    }
    struct mmsghdr* m = &r->msgs[r->pending_start];
    size_t len = m->msg_len;
    if (used + len > bytes_len) break;
    uint16_t source;
    if (!source_index(env, r, (const struct sockaddr_storage*)m->msg_hdr.msg_name, argv[5], &source)) break;
    memcpy(bytes + used, r->iov[r->pending_start].iov_base, len);
    used += len;
    ends[count] = (uint32_t)used;
    received_at[count] = r->pending_at;
    sources[count] = source;
    count++;
    r->pending_start++;
  }
  napi_value out;
  CHECK(env, napi_create_uint32(env, count, &out));
  return out;
}

/* discard(reader, timeoutMs): reads what is waiting (up to SLOTS) and throws it away; returns how many. */
static napi_value js_discard(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  reader_t* r = argc < 2 ? NULL : get_reader(env, argv[0]);
  if (!r) return NULL;
  uint32_t timeout;
  CHECK(env, napi_get_value_uint32(env, argv[1], &timeout));
  uint32_t n = r->pending_end - r->pending_start;
  r->pending_start = r->pending_end = 0;
  if (n == 0 && r->fd >= 0) {
    int got = fill(env, r, (int)timeout);
    if (got < 0) return NULL;
    n = r->pending_end;
    r->pending_start = r->pending_end = 0;
  }
  napi_value out;
  CHECK(env, napi_create_uint32(env, n, &out));
  return out;
}

static napi_value js_truncated(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  reader_t* r = argc < 1 ? NULL : get_reader(env, argv[0]);
  if (!r) return NULL;
  napi_value out;
  CHECK(env, napi_create_double(env, r->truncated, &out));
  return out;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  reader_t* r = argc < 1 ? NULL : get_reader(env, argv[0]);
  if (!r) return NULL;
  reader_close(r);
  r->pending_start = r->pending_end = 0;
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"read", NULL, js_read, NULL, NULL, NULL, napi_enumerable, NULL},
      {"discard", NULL, js_discard, NULL, NULL, NULL, napi_enumerable, NULL},
      {"truncated", NULL, js_truncated, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
