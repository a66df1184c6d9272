/*
 * Copyright (c) 2026 The pfish authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */

/*
 * clerk.c: a fetch's file system work beside its network work.  One
 * thread makes temporary files ahead of need and runs one job at a time
 * (a batch's commit), while the caller goes on talking to the server.
 *
 * The caller never waits for a thread that did not get a CPU: it makes
 * a temporary file itself when none is ready, and runs a job itself when
 * it must have the result and the thread has not started it.  The thread
 * touches nothing of the caller's but the generator (under its own lock)
 * and a job's argument, which the caller leaves alone until it joins.
 */

#include <sys/types.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "fsutil.h"

#define CLERK_AHEAD_MAX	1024

struct clerk_file {
	int		 fd;
	char		 name[CLERK_NAME_LEN];
};

enum job_state { JOB_NONE, JOB_QUEUED, JOB_RUNNING, JOB_DONE };

struct clerk {
	pthread_t	 tid;
	pthread_mutex_t	 mu;
	pthread_cond_t	 wake;		/* for the thread */
	pthread_cond_t	 done;		/* for the caller: a job ended */
	pthread_mutex_t	 genmu;		/* the generator, and only it */
	struct fs_tmpgen *tg;
	struct clerk_file *stock;	/* a ring, under mu */
	size_t		 ahead, head, count;
	size_t		 left;		/* under mu: files yet to be made */
	int		 quit;		/* under mu */
	int		 failed;	/* under mu: a file could not be made */
	int		 (*job)(void *);
	void		*jobarg;
	enum job_state	 state;		/* under mu */
	int		 result;	/* under mu, once JOB_DONE */
	int		 jerrno;
};

static int
make_file(struct clerk *c, struct clerk_file *f)
{
	pthread_mutex_lock(&c->genmu);
	f->fd = fs_tmpgen_create(c->tg, f->name, sizeof(f->name));
	pthread_mutex_unlock(&c->genmu);
	return f->fd == -1 ? -1 : 0;
}

static void
drop_file(struct clerk *c, struct clerk_file *f)
{
	close(f->fd);
	(void)unlinkat(c->tg->dirfd, f->name, 0);
}

/* Run the queued job, already marked running; mu is held on entry. */
static void
run_job(struct clerk *c)
{
	int r, e;

	pthread_mutex_unlock(&c->mu);
	errno = 0;
	r = c->job(c->jobarg);
	e = errno;
	pthread_mutex_lock(&c->mu);
	c->result = r;
	c->jerrno = e;
	c->state = JOB_DONE;
	pthread_cond_broadcast(&c->done);
}

static void *
clerk_main(void *arg)
{
	struct clerk *c = arg;
	struct clerk_file f;

	pthread_mutex_lock(&c->mu);
	while (!c->quit) {
		if (c->state == JOB_QUEUED) {
			c->state = JOB_RUNNING;
			run_job(c);
			continue;
		}
		if (c->count < c->ahead && c->left > 0 && !c->failed) {
			c->left--;
			pthread_mutex_unlock(&c->mu);
			if (make_file(c, &f) == -1) {
				pthread_mutex_lock(&c->mu);
				c->left++;
				c->failed = 1;	/* the caller finds out itself */
				continue;
			}
			pthread_mutex_lock(&c->mu);
			c->stock[(c->head + c->count) % c->ahead] = f;
			c->count++;
			continue;
		}
		pthread_cond_wait(&c->wake, &c->mu);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

/* Its locks and memory, once the thread is gone (or never started). */
static void
clerk_free(struct clerk *c)
{
	pthread_mutex_destroy(&c->mu);
	pthread_mutex_destroy(&c->genmu);
	pthread_cond_destroy(&c->wake);
	pthread_cond_destroy(&c->done);
	free(c->stock);
	free(c);
}

struct clerk *
clerk_start(struct fs_tmpgen *tg, size_t ahead, size_t total)
{
	struct clerk *c;
	sigset_t all, old;
	int r;

	if (ahead == 0 || ahead > CLERK_AHEAD_MAX) {
		errno = EINVAL;
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if ((c->stock = calloc(ahead, sizeof(*c->stock))) == NULL) {
		free(c);
		return NULL;
	}
	c->tg = tg;
	c->ahead = ahead;
	c->left = total;
	pthread_mutex_init(&c->mu, NULL);
	pthread_mutex_init(&c->genmu, NULL);
	pthread_cond_init(&c->wake, NULL);
	pthread_cond_init(&c->done, NULL);
	/* Signals stay with the caller's thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&c->tid, NULL, clerk_main, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {
		clerk_free(c);
		errno = r;
		return NULL;
	}
	return c;
}

int
clerk_take(struct clerk *c, char *name, size_t len)
{
	struct clerk_file f;
	int have = 0;

	pthread_mutex_lock(&c->mu);
	if (c->count > 0) {
		f = c->stock[c->head];
		c->head = (c->head + 1) % c->ahead;
		c->count--;
		have = 1;
	} else if (c->left > 0)
		c->left--;	/* made here instead */
	c->failed = 0;		/* worth another try */
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->mu);
	if (!have && make_file(c, &f) == -1)
		return -1;
	if (strlcpy(name, f.name, len) >= len) {
		drop_file(c, &f);
		errno = ENAMETOOLONG;
		return -1;
	}
	return f.fd;
}

void
clerk_run(struct clerk *c, int (*job)(void *), void *arg)
{
	pthread_mutex_lock(&c->mu);
	c->job = job;
	c->jobarg = arg;
	c->state = JOB_QUEUED;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->mu);
}

int
clerk_join(struct clerk *c)
{
	int r;

	pthread_mutex_lock(&c->mu);
	if (c->state == JOB_NONE) {
		pthread_mutex_unlock(&c->mu);
		return 0;
	}
	if (c->state == JOB_QUEUED) {
		c->state = JOB_RUNNING;
		run_job(c);
	}
	while (c->state != JOB_DONE)
		pthread_cond_wait(&c->done, &c->mu);
	c->state = JOB_NONE;
	r = c->result;
	errno = c->jerrno;
	pthread_mutex_unlock(&c->mu);
	return r;
}

void
clerk_stop(struct clerk *c)
{
	int saved = errno;

	if (c == NULL)
		return;
	(void)clerk_join(c);
	pthread_mutex_lock(&c->mu);
	c->quit = 1;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->tid, NULL);
	for (; c->count > 0; c->count--) {
		drop_file(c, &c->stock[c->head]);
		c->head = (c->head + 1) % c->ahead;
	}
	clerk_free(c);
	errno = saved;
}
