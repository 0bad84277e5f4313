/*
 * nfq_delay: a fixed delay on the kernel packet path, for kernels without
 * sch_netem (test/net/wan_latency.sh). It binds one NFQUEUE queue, takes every
 * packet the iptables NFQUEUE rules hand it (metadata only, no payload copy)
 * and accepts it DELAY_MS later, in arrival order. The packets stay in the
 * kernel meanwhile, so TCP sees the real round trip, unlike a userspace relay.
 *
 * Order: packet ids rise in queue order and every packet waits the same time,
 * so a FIFO of (id, release time) is enough, and one NFQNL_MSG_VERDICT_BATCH
 * accepts every queued id up to the newest due one. That batch also releases a
 * packet whose message was lost to a receive overflow (ENOBUFS), a little late.
 * Failure: the queue is fail-open (a full kernel queue accepts at once) and
 * the rules use --queue-bypass, so if this program dies the link loses what
 * it held (TCP retransmits) and then runs undelayed; it never goes dark.
 * On SIGINT/SIGTERM it accepts everything still held and prints its counters.
 *
 * Usage: nfq_delay QUEUE DELAY_MS [MAXLEN]   (root, inside the namespace)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

struct held {
	uint32_t id;
	int64_t due_ns;
};

/* Bounded ring; never fuller than the kernel queue, whose length it shares. */
struct fifo {
	struct held *slot;
	uint32_t cap, head, count;
};

struct state {
	struct mnl_socket *nl;
	uint32_t queue;
	int64_t delay_ns;
	struct fifo fifo;
	uint64_t packets, released, overflows, forced;
	int64_t late_ns, max_late_ns; /* how far past its release time each packet left (sum, max) */
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void) sig;
	stop = 1;
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int on_packet(const struct nlmsghdr *nlh, void *data);

/*
 * Binds the queue and sets it up in one message, then reads until the kernel's
 * ack (EBUSY and the like arrive there). The rules may already send packets:
 * any that arrive before the ack are held like the others, not lost.
 */
static int
bind_queue(struct state *st)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	const uint32_t flags = htonl(NFQA_CFG_F_FAIL_OPEN | NFQA_CFG_F_GSO);
	struct nlmsghdr *nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, st->queue);
	uint32_t seq = (uint32_t) time(NULL);
	int rc;

	nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_BIND);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_META, 0);
	nfq_nlmsg_cfg_put_qmaxlen(nlh, st->fifo.cap);
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, flags);
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK, flags);
	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(st->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	do {
		ssize_t n = mnl_socket_recvfrom(st->nl, buf, sizeof buf);

		if (n < 0)
			return -1;
		rc = mnl_cb_run(buf, (size_t) n, seq, mnl_socket_get_portid(st->nl), on_packet, st);
	} while (rc == MNL_CB_OK); /* the ack is MNL_CB_STOP, a refusal MNL_CB_ERROR with errno set */
	return rc < 0 ? -1 : 0;
}

/* Accepts every queued packet up to and including id. */
static int
accept_up_to(struct state *st, uint32_t id)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nfq_nlmsg_put(buf, NFQNL_MSG_VERDICT_BATCH, st->queue);

	nfq_nlmsg_verdict_put(nlh, (int) id, NF_ACCEPT);
	return mnl_socket_sendto(st->nl, nlh, nlh->nlmsg_len) < 0 ? -1 : 0;
}

/* Releases every packet due by now (all of them when everything is set). */
static int
release(struct state *st, int64_t now, int everything)
{
	struct fifo *f = &st->fifo;
	uint32_t last = 0;
	int any = 0;

	while (f->count > 0 && (everything || f->slot[f->head].due_ns <= now)) {
		struct held *h = &f->slot[f->head];

		if (!everything) {
			st->released++;
			st->late_ns += now - h->due_ns;
			st->max_late_ns = now - h->due_ns > st->max_late_ns ? now - h->due_ns : st->max_late_ns;
		}
		last = h->id;
		any = 1;
		f->head = (f->head + 1) % f->cap;
		f->count--;
	}
	return any ? accept_up_to(st, last) : 0;
}

static int
on_packet(const struct nlmsghdr *nlh, void *data)
{
	struct state *st = data;
	struct nlattr *attr[NFQA_MAX + 1] = {0};
	const struct nfqnl_msg_packet_hdr *ph;
	struct fifo *f = &st->fifo;
	int64_t now = now_ns();

	if (nfq_nlmsg_parse(nlh, attr) < 0 || attr[NFQA_PACKET_HDR] == NULL)
		return MNL_CB_ERROR;
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	if (f->count == f->cap) { /* cannot happen while the kernel queue is as long; stay bounded anyway */
		st->forced++;
		if (release(st, now, 1) < 0)
			return MNL_CB_ERROR;
	}
	f->slot[(f->head + f->count) % f->cap] = (struct held){ntohl(ph->packet_id), now + st->delay_ns};
	f->count++;
	st->packets++;
	return MNL_CB_OK;
}

/* Reads every message waiting on the socket without blocking. */
static int
drain(struct state *st)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int fd = mnl_socket_get_fd(st->nl);

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);

		if (n < 0 && errno == ENOBUFS) {
			st->overflows++;
			continue;
		}
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		if (mnl_cb_run(buf, (size_t) n, 0, mnl_socket_get_portid(st->nl), on_packet, st) < 0)
			return -1;
	}
}

static int
run(struct state *st, const sigset_t *unblocked)
{
	struct pollfd pfd = {.fd = mnl_socket_get_fd(st->nl), .events = POLLIN};

	while (!stop) {
		struct timespec ts, *timeout = NULL;

		if (st->fifo.count > 0) {
			int64_t wait = st->fifo.slot[st->fifo.head].due_ns - now_ns();

			wait = wait < 0 ? 0 : wait;
			ts = (struct timespec){wait / 1000000000, wait % 1000000000};
			timeout = &ts;
		}
		if (ppoll(&pfd, 1, timeout, unblocked) < 0 && errno != EINTR)
			return -1;
		if ((pfd.revents & POLLIN) && drain(st) < 0)
			return -1;
		if (release(st, now_ns(), 0) < 0)
			return -1;
	}
	return release(st, 0, 1);
}

static long
number(const char *text, long max)
{
	char *end;
	long value = strtol(text, &end, 10);

	return *end == '\0' && value >= 0 && value <= max ? value : -1;
}

int
main(int argc, char **argv)
{
	struct state st = {0};
	long queue = argc >= 3 ? number(argv[1], UINT16_MAX) : -1;
	long delay_ms = argc >= 3 ? number(argv[2], 60000) : -1;
	long maxlen = argc == 4 ? number(argv[3], 1 << 20) : 4096;
	sigset_t blocked, unblocked;
	int rc = 1;

	if (argc < 3 || argc > 4 || queue < 0 || delay_ms < 0 || maxlen < 1) {
		fprintf(stderr, "usage: nfq_delay QUEUE DELAY_MS [MAXLEN]\n");
		return 2;
	}
	st.queue = (uint32_t) queue;
	st.delay_ns = delay_ms * 1000000;
	st.fifo.cap = (uint32_t) maxlen;
	sigemptyset(&blocked);
	sigaddset(&blocked, SIGINT);
	sigaddset(&blocked, SIGTERM);
	sigprocmask(SIG_BLOCK, &blocked, &unblocked); /* delivered only inside ppoll: no lost wake-up */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	st.fifo.slot = calloc(st.fifo.cap, sizeof *st.fifo.slot);
	st.nl = mnl_socket_open(NETLINK_NETFILTER);
	if (st.fifo.slot == NULL || st.nl == NULL || mnl_socket_bind(st.nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("nfq_delay: netlink socket");
		goto out;
	}
	setsockopt(mnl_socket_get_fd(st.nl), SOL_SOCKET, SO_RCVBUFFORCE, &(int){8 << 20}, sizeof(int));
	if (bind_queue(&st) < 0) {
		perror("nfq_delay: binding the queue");
		goto out;
	}
	printf("ready: queue %u, %ld ms, at most %u packets\n", st.queue, delay_ms, st.fifo.cap);
	fflush(stdout);
	if (run(&st, &unblocked) < 0)
		perror("nfq_delay");
	else
		rc = 0;
	printf("held %llu packets %ld ms each; released late by %lld us on average, %lld us at most; "
		   "%llu receive overflows; %llu forced out early\n",
		   (unsigned long long) st.packets, delay_ms,
		   (long long) (st.released > 0 ? st.late_ns / (int64_t) st.released / 1000 : 0),
		   (long long) (st.max_late_ns / 1000), (unsigned long long) st.overflows, (unsigned long long) st.forced);
out:
	if (st.nl != NULL)
		mnl_socket_close(st.nl);
	free(st.fifo.slot);
	return rc;
}
