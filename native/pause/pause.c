/*
 * The pause program: PID 1 of every pod sandbox. It holds the pod's namespaces open, reaps the
 * zombies that processes sharing its PID namespace leave behind, and exits 0 on SIGINT or SIGTERM.
 * Nothing else: no arguments, no output, no dynamic libraries (built with -static).
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>

static void stop(int signal_number)
{
    (void)signal_number;
    _exit(0);
}

static void reap(int signal_number)
{
    (void)signal_number;
    int saved = errno; /* a handler must not clobber errno for the interrupted code */
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
    errno = saved;
}

int main(void)
{
    struct sigaction on_stop = {.sa_handler = stop};
    struct sigaction on_child = {.sa_handler = reap, .sa_flags = SA_NOCLDSTOP | SA_RESTART};
    sigemptyset(&on_stop.sa_mask);
    sigemptyset(&on_child.sa_mask);
    /* As PID 1 the kernel delivers only signals we handle: without these, SIGTERM is ignored. */
    if (sigaction(SIGINT, &on_stop, NULL) < 0 || sigaction(SIGTERM, &on_stop, NULL) < 0
        || sigaction(SIGCHLD, &on_child, NULL) < 0) {
        return 1;
    }
    for (;;) {
        pause();
    }
}
