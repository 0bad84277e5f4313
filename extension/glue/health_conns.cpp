/*
 * health_conns.cpp: the health endpoint's connections (see health_endpoint.hpp).
 *
 * Hostile clients (slowloris): a fixed table of kMaxConnections slots with a
 * kRequestCapacity buffer each (1 MB in all, allocated once: the worker's
 * memory does not grow with clients). Every held connection is still sending
 * its request (answered ones are closed at once, one request per connection),
 * so when the table is full a new connection takes the slot of the one
 * accepted first (core connection_to_evict()), which is read one last time
 * (answered if its request has arrived) and otherwise answered 503 and
 * closed. A client that sends its request at once is answered unless
 * kMaxConnections newer connections arrive before its bytes do, so a thousand
 * slow clients cannot starve new health checks; a slow client is also cut off
 * after kReadTimeoutMs (408). Beyond the table, the kernel's listen backlog
 * holds connections until the loop accepts them; it accepts all that wait.
 *
 * Readiness comes from one epoll descriptor holding every connection, which the
 * worker's WaitEventSet watches as a single socket: adding and removing a
 * connection is one epoll_ctl, and a wake-up costs the ready connections only,
 * not a rebuild over all of them (Linux only, like the server builds we ship).
 *
 * Frames: C-shaped (plain locals and the plain-data table); answers come from
 * respond() (health_response.cpp).
 */
#include "core/health_state.hpp"

#include <cerrno>
#include <sys/epoll.h>

#include "bridge/postgres.hpp"
#include "glue/health_endpoint.hpp"

namespace readscale::pg::health {

namespace {

constexpr int kMaxConnections = 256;
constexpr long kReadTimeoutMs = 2000;
constexpr std::size_t kRequestCapacity = 4096;
constexpr int kReadyBatch = 64;

struct Connection {
	pgsocket fd;
	TimestampTz deadline;
	std::size_t length;
	char buffer[kRequestCapacity];
};

/* Plain data (B8). accepted_at[i] < 0: slot i is free; else its place in accept order. */
Connection connections[kMaxConnections];
std::int64_t accepted_at[kMaxConnections];
std::int64_t accepted_count = 0;
int epoll_fd = -1;
int held = 0;

void
release(int slot) {
	closesocket(connections[slot].fd); /* also leaves the epoll set: the descriptor is not shared */
	connections[slot].fd = PGINVALID_SOCKET;
	accepted_at[slot] = -1;
	held--;
}

void
send_all(pgsocket fd, const char *data, std::size_t length) {
	while (length > 0) {
		ssize_t sent = send(fd, data, length, MSG_NOSIGNAL);
		if (sent <= 0)
			break; /* EAGAIN or a gone client: a health answer is not worth waiting for */
		data += sent;
		length -= static_cast<std::size_t>(sent);
	}
}

/* Answers the slot once its request is complete (or timed out) and closes it. */
void
answer(int slot, bool timed_out) {
	Connection *conn = &connections[slot];
	const char *response = nullptr;
	std::size_t length = respond(conn->buffer, conn->length, timed_out, &response);
	if (length == 0)
		return;
	send_all(conn->fd, response, length);
	release(slot);
}

void
read_from(int slot, TimestampTz now) {
	Connection *conn = &connections[slot];
	if (conn->length < kRequestCapacity) {
		ssize_t got = recv(conn->fd, conn->buffer + conn->length, kRequestCapacity - conn->length, 0);
		if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
			release(slot);
			return;
		}
		if (got > 0)
			conn->length += static_cast<std::size_t>(got);
	}
	answer(slot, now >= conn->deadline);
}

/*
 * A free slot. When there is none, the oldest connection is read once more
 * (its request may be waiting: answered, it frees its slot) and otherwise evicted.
 */
int
free_slot(TimestampTz now) {
	static const char busy[] =
	    "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 5\r\nConnection: close\r\n\r\nbusy\n";
	for (int i = 0; i < kMaxConnections; i++)
		if (accepted_at[i] < 0)
			return i;
	int victim = static_cast<int>(readscale::http::connection_to_evict(accepted_at, kMaxConnections));
	read_from(victim, now);
	if (accepted_at[victim] >= 0) {
		send_all(connections[victim].fd, busy, sizeof busy - 1);
		release(victim);
	}
	return victim;
}

} // namespace

int
conns_init() {
	for (int i = 0; i < kMaxConnections; i++) {
		connections[i].fd = PGINVALID_SOCKET;
		accepted_at[i] = -1;
	}
	epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	return epoll_fd;
}

void
conns_accept(pgsocket listener, TimestampTz now) {
	while (true) {
		pgsocket fd = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == PGINVALID_SOCKET)
			return; /* EAGAIN: drained; EMFILE and friends: retried on the next wake-up */
		int slot = free_slot(now);
		epoll_event event {};
		event.events = EPOLLIN;
		event.data.u32 = static_cast<std::uint32_t>(slot);
		if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event) != 0) {
			closesocket(fd);
			continue;
		}
		connections[slot].fd = fd;
		connections[slot].length = 0;
		connections[slot].deadline = TimestampTzPlusMilliseconds(now, kReadTimeoutMs);
		accepted_at[slot] = accepted_count++;
		held++;
	}
}

void
conns_serve_ready(TimestampTz now) {
	epoll_event events[kReadyBatch];
	int count = epoll_wait(epoll_fd, events, kReadyBatch, 0);
	for (int i = 0; i < count; i++) {
		int slot = static_cast<int>(events[i].data.u32);
		if (accepted_at[slot] >= 0)
			read_from(slot, now);
	}
}

void
conns_expire(TimestampTz now) {
	for (int i = 0; i < kMaxConnections; i++)
		if (accepted_at[i] >= 0 && now >= connections[i].deadline)
			answer(i, true);
}

int
conns_open() {
	return held;
}

} // namespace readscale::pg::health
