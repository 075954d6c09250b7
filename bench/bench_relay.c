/*
 * bench/proxy's reference relay: the least a TCP relay can do. It listens
 * on port 8080 and relays every connection to one fixed IPv4 address, port
 * 80, with a thread per direction moving bytes socket → pipe → socket by
 * blocking splice(): no policy, no parsing, no event loop. What it costs
 * against going direct is the hop itself, which para-proxy cannot avoid
 * either.  Usage: bench_relay IPV4
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

struct way {
	int from, to;
};

static void *move(void *arg)
{
	struct way w = *(struct way *)arg;
	int p[2];
	free(arg);
	if (pipe(p) == 0) {
		ssize_t n;
		while ((n = splice(w.from, NULL, p[1], NULL, 1 << 16, SPLICE_F_MOVE)) > 0)
			while (n > 0) {
				ssize_t m = splice(p[0], NULL, w.to, NULL, (size_t)n, SPLICE_F_MOVE);
				if (m <= 0)
					goto out;
				n -= m;
			}
	out:
		close(p[0]);
		close(p[1]);
	}
	shutdown(w.to, SHUT_WR);
	return NULL;
}

static int start(int from, int to)
{
	pthread_t t;
	struct way *w = malloc(sizeof *w);
	if (!w)
		return -1;
	*w = (struct way){ from, to };
	if (pthread_create(&t, NULL, move, w) != 0) {
		free(w);
		return -1;
	}
	return pthread_detach(t);
}

int main(int argc, char **argv)
{
	struct sockaddr_in up = { .sin_family = AF_INET, .sin_port = htons(80) };
	struct sockaddr_in me = { .sin_family = AF_INET, .sin_port = htons(8080) };
	int one = 1, l = socket(AF_INET, SOCK_STREAM, 0);
	if (argc != 2 || inet_pton(AF_INET, argv[1], &up.sin_addr) != 1) {
		fprintf(stderr, "usage: bench_relay IPV4\n");
		return 2;
	}
	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(l, (struct sockaddr *)&me, sizeof me) < 0 || listen(l, 64) < 0) {
		perror("bench_relay: listen");
		return 1;
	}
	for (;;) {
		int c = accept(l, NULL, NULL), u = -1;
		if (c < 0)
			continue;
		u = socket(AF_INET, SOCK_STREAM, 0);
		if (u < 0 || connect(u, (struct sockaddr *)&up, sizeof up) < 0 || start(c, u) < 0 || start(u, c) < 0) {
			/* a half-started pair: its thread ends when these close */
			close(c);
			if (u >= 0)
				close(u);
		}
	}
}
