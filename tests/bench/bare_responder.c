/*
 * bare_responder - the floor of the fanotify mechanism: a responder that
 * allows every permission event on one filesystem and does nothing else.
 *
 * It marks the same events procguardd marks (FAN_OPEN_EXEC_PERM and
 * FAN_OPEN_PERM on the whole filesystem holding PATH), reads them in
 * batches and answers FAN_ALLOW. The exec benchmark compares procguardd's
 * per-decision cost with this. Usage: bare_responder PATH (runs until
 * SIGTERM; prints "ready" on stdout once the mark is in place).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/fanotify.h>
#include <unistd.h>

static volatile sig_atomic_t g_stop;

static void onSignal(int sig)
{
    (void)sig;
    g_stop = 1;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: bare_responder PATH\n");
        return 2;
    }
    int fan = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC, O_RDONLY | O_LARGEFILE | O_CLOEXEC);
    if (fan < 0) {
        fprintf(stderr, "bare_responder: fanotify_init: %s\n", strerror(errno));
        return 1;
    }
    if (fanotify_mark(fan, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, FAN_OPEN_EXEC_PERM | FAN_OPEN_PERM,
                      AT_FDCWD, argv[1]) != 0) {
        fprintf(stderr, "bare_responder: fanotify_mark %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = onSignal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    printf("ready\n");
    fflush(stdout);

    char buf[8192] __attribute__((aligned(8)));
    while (!g_stop) {
        ssize_t n = read(fan, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        struct fanotify_event_metadata *md = (struct fanotify_event_metadata *)buf;
        while (FAN_EVENT_OK(md, n)) {
            if (md->fd >= 0) {
                struct fanotify_response r = {.fd = md->fd, .response = FAN_ALLOW};
                if (write(fan, &r, sizeof r) != (ssize_t)sizeof r)
                    perror("bare_responder: write");
                close(md->fd);
            }
            md = FAN_EVENT_NEXT(md, n);
        }
    }
    close(fan);
    return 0;
}
