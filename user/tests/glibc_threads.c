/*
 * glibc_threads: Debian's glibc threads, dynamically linked: whatever
 * pthread_create, pthread_join, mutexes, condition variables, TLS and
 * pthread_kill ask of clone, futex, set_robust_list, tgkill and exit.
 * Prints TAP like the other tests.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "glibc_tap.h"

#define THREADS		4
#define INCREMENTS	20000

static __thread int tls_value;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long counter;
static int ready;
static volatile pid_t signalled_in;

/* Each adds to the shared counter under the mutex, with its own TLS value. */
static void *
adder(void *arg)
{
	long me = (long)arg;

	tls_value = (int)me;
	for (int i = 0; i < INCREMENTS; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
	}
	return (void *)(long)(tls_value == me ? gettid() : -1);
}

/* Waits on the condition until the main thread says go. */
static void *
waiter(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	while (!ready)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	return (void *)7L;
}

static void
on_usr1(int sig)
{
	(void)sig;
	signalled_in = gettid();
}

static void *
sleeper(void *arg)
{
	pid_t *tid = arg;

	*tid = gettid();
	while (signalled_in == 0)
		usleep(1000);
	return NULL;
}

int
main(void)
{
	pthread_t t[THREADS], w, s;
	void *ret;
	pid_t tids[THREADS], sleeper_tid = 0;
	int distinct = 1, joined = 1;

	tap_plan(4);
	for (long i = 0; i < THREADS; i++)
		joined &= pthread_create(&t[i], NULL, adder, (void *)(i + 1)) == 0;
	for (int i = 0; i < THREADS; i++) {
		joined &= pthread_join(t[i], &ret) == 0 && (long)ret > 0;
		tids[i] = (pid_t)(long)ret;
		for (int j = 0; j < i; j++)
			distinct &= tids[j] != tids[i] && tids[i] != getpid();
	}
	ok(joined && distinct, "pthread_create and pthread_join: each thread its own tid and TLS");
	ok(counter == (long)THREADS * INCREMENTS, "a mutex keeps the shared counter exact");
	pthread_create(&w, NULL, waiter, NULL);
	usleep(20000);
	pthread_mutex_lock(&lock);
	ready = 1;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	ok(pthread_join(w, &ret) == 0 && ret == (void *)7L, "a condition variable wakes a waiter");
	signal(SIGUSR1, on_usr1);
	pthread_create(&s, NULL, sleeper, &sleeper_tid);
	while (sleeper_tid == 0)
		usleep(1000);
	pthread_kill(s, SIGUSR1);
	pthread_join(s, NULL);
	ok(signalled_in == sleeper_tid, "pthread_kill runs the handler in that thread");
	return tap_done();
}
