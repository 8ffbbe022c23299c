/* harness_run.c: the programs a world runs besides its server: vigied
 * commands (init, user, account) and vigie-sim, in the foreground with
 * their output captured, or the simulator in the background. Each child
 * dies with the test and every wait is bounded. */
#include "tests/lib/harness.h"
#include "tests/lib/harness_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

void harness_child_prepare(pid_t parent)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(126);
}

int harness_wait_bounded(pid_t pid, int timeout_ms)
{
    int64_t deadline = harness_now_ms() + timeout_ms;
    for (;;) {
        int status = 0;
        pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (done < 0 && errno != EINTR)
            return -1;
        if (harness_now_ms() >= deadline)
            return -1;
        harness_sleep_ms(10);
    }
}

static int run_argv(const char *const *argv, const char *input, char *output, size_t output_size)
{
    int in[2], out[2];
    if (output_size > 0)
        output[0] = '\0';
    if (pipe2(in, O_CLOEXEC) != 0)
        return -1;
    if (pipe2(out, O_CLOEXEC) != 0) {
        close(in[0]);
        close(in[1]);
        return -1;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        harness_child_prepare(parent);
        dup2(in[0], STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        dup2(out[1], STDERR_FILENO);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    if (pid < 0) {
        close(in[1]);
        close(out[0]);
        return -1;
    }
    if (input) {
        size_t length = strlen(input), written = 0;
        while (written < length) {
            ssize_t n = write(in[1], input + written, length - written);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            written += (size_t)n;
        }
    }
    close(in[1]);
    size_t used = 0;
    int64_t deadline = harness_now_ms() + WORLD_RUN_TIMEOUT_MS;
    for (;;) {
        int left = (int)(deadline - harness_now_ms());
        struct pollfd wait_for = {out[0], POLLIN, 0};
        if (left <= 0 || poll(&wait_for, 1, left) <= 0)
            break;
        char chunk[4096];
        ssize_t n = read(out[0], chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        size_t take = (size_t)n;
        if (output_size > 0 && used + take > output_size - 1)
            take = output_size - 1 - used;
        memcpy(output + used, chunk, take);
        used += take;
        if (output_size > 0)
            output[used] = '\0';
    }
    close(out[0]);
    int status = harness_wait_bounded(pid, 1000);
    if (status < 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    return status;
}

int world_run(struct world *world, const char *input, char *output, size_t output_size,
              const char *argument, ...)
{
    const char *argv[WORLD_ARGS_MAX + 1];
    int count = 0;
    argv[count++] = world->vigied;
    va_list args;
    va_start(args, argument);
    for (const char *a = argument; a && count < WORLD_ARGS_MAX; a = va_arg(args, const char *))
        argv[count++] = a;
    va_end(args);
    argv[count] = NULL;
    char ignored[256];
    if (!output) {
        output = ignored;
        output_size = sizeof ignored;
    }
    return run_argv(argv, input, output, output_size);
}

/* Copies a NULL-terminated argument list after argv[0..count); returns the
 * new count (argv is not terminated). */
static int collect_arguments(const char **argv, int count, const char *first, va_list args)
{
    for (const char *a = first; a && count < WORLD_ARGS_MAX - 2; a = va_arg(args, const char *))
        argv[count++] = a;
    return count;
}

int world_account(struct world *world, char *output, size_t output_size, const char *argument, ...)
{
    const char *argv[WORLD_ARGS_MAX + 1];
    int count = 0;
    argv[count++] = world->vigied;
    argv[count++] = "account";
    va_list args;
    va_start(args, argument);
    count = collect_arguments(argv, count, argument, args);
    va_end(args);
    argv[count++] = "--db";
    argv[count++] = world->db;
    argv[count] = NULL;
    char ignored[256];
    if (!output) {
        output = ignored;
        output_size = sizeof ignored;
    }
    return run_argv(argv, NULL, output, output_size);
}

int world_sim(struct world *world, char *output, size_t output_size, const char *argument, ...)
{
    const char *argv[WORLD_ARGS_MAX + 1];
    int count = 0;
    argv[count++] = world->sim;
    va_list args;
    va_start(args, argument);
    count = collect_arguments(argv, count, argument, args);
    va_end(args);
    argv[count] = NULL;
    char ignored[256];
    if (!output) {
        output = ignored;
        output_size = sizeof ignored;
    }
    return run_argv(argv, NULL, output, output_size);
}

pid_t world_sim_start(struct world *world, const char *output_path, const char *argument, ...)
{
    int slot = -1;
    for (int i = 0; i < WORLD_SIMS_MAX && slot < 0; i++)
        if (world->sims[i] <= 0)
            slot = i;
    if (slot < 0)
        return -1;
    const char *argv[WORLD_ARGS_MAX + 1];
    int count = 0;
    argv[count++] = world->sim;
    va_list args;
    va_start(args, argument);
    count = collect_arguments(argv, count, argument, args);
    va_end(args);
    argv[count] = NULL;
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        harness_child_prepare(parent);
        int out = open(output_path, O_WRONLY | O_TRUNC | O_CREAT, 0600);
        int null = open("/dev/null", O_RDONLY);
        if (out < 0 || null < 0)
            _exit(126);
        dup2(null, STDIN_FILENO);
        dup2(out, STDOUT_FILENO);
        dup2(out, STDERR_FILENO);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    if (pid > 0)
        world->sims[slot] = pid;
    return pid;
}

int world_sim_wait(struct world *world, pid_t pid, int timeout_ms)
{
    int status = harness_wait_bounded(pid, timeout_ms);
    if (status < 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    for (int i = 0; i < WORLD_SIMS_MAX; i++)
        if (world->sims[i] == pid)
            world->sims[i] = 0;
    return status;
}
