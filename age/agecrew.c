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

/* agecrew.c: seal and open age STREAM chunks on several threads. */

#include <sys/types.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "age.h"
#include "agecrypt.h"
#include "aead.h"

/*
 * Tasks are taken one at a time from a shared cursor that carries the
 * batch's generation, so a helper that wakes late takes nothing from a
 * later batch, and the caller never waits for a helper that has not
 * started: if none gets a CPU, the caller simply does every task.  The
 * caller returns when all tasks of its batch are done.
 */
struct age_crew {
	const u_char	*key;
	int		 nworkers;	/* -1: not started yet */
	pthread_t	 tid[AGE_CREW_MAX];
	pthread_mutex_t	 mu;
	pthread_cond_t	 go;
	pthread_cond_t	 done;
	uint64_t	 gen;		/* under mu */
	int		 quit;		/* under mu */
	struct age_task	*tasks;
	size_t		 ntasks;
	size_t		 finished;	/* under mu */
	_Atomic uint64_t cursor;	/* gen << 32 | next task */
};

static void
chunk_nonce(u_char nonce[12], uint64_t ctr, int last)
{
	int i;

	memset(nonce, 0, 12);
	for (i = 10; i >= 3; i--, ctr >>= 8)
		nonce[i] = (u_char)ctr;
	nonce[11] = last ? 1 : 0;
}

/*
 * Opening a full-size chunk tries it as a middle chunk, then as the last
 * one, as the reference implementation does; a shorter chunk can only
 * be the last.  The output of a failed attempt is wiped by aead_open(),
 * which is why opening is never done in place.
 */
static void
task_run(const u_char *key, struct age_task *t)
{
	u_char nonce[12];
	size_t mlen;

	if (t->op == AGE_TASK_SEAL) {
		chunk_nonce(nonce, t->ctr, t->last);
		aead_seal(t->out, t->out + t->inlen, t->in, t->inlen, nonce,
		    key);
		t->result = 0;
		return;
	}
	mlen = t->inlen - AGE_TAG_LEN;
	t->result = AGE_ERR_PAYLOAD;
	for (t->last = t->inlen == AGE_CHUNK_CT_LEN ? 0 : 1; t->last <= 1;
	    t->last++) {
		chunk_nonce(nonce, t->ctr, t->last);
		if (aead_open(t->out, t->in, mlen, t->in + mlen, nonce,
		    key) == 0) {
			t->result = 0;
			return;
		}
	}
}

/* Take the next task of batch gen, or NULL when it has none left. */
static struct age_task *
take(struct age_crew *crew, uint64_t gen)
{
	uint64_t cur = atomic_load(&crew->cursor);

	do {
		if (cur >> 32 != (gen & 0xffffffff) ||
		    (cur & 0xffffffff) >= crew->ntasks)
			return NULL;
	} while (!atomic_compare_exchange_weak(&crew->cursor, &cur, cur + 1));
	return &crew->tasks[cur & 0xffffffff];
}

static void
work(struct age_crew *crew, uint64_t gen)
{
	struct age_task *t;

	while ((t = take(crew, gen)) != NULL) {
		task_run(crew->key, t);
		pthread_mutex_lock(&crew->mu);
		if (++crew->finished == crew->ntasks)
			pthread_cond_signal(&crew->done);
		pthread_mutex_unlock(&crew->mu);
	}
}

static void *
crew_main(void *argp)
{
	struct age_crew *crew = argp;
	uint64_t seen = 0;

	pthread_mutex_lock(&crew->mu);
	for (;;) {
		while (!crew->quit && crew->gen == seen)
			pthread_cond_wait(&crew->go, &crew->mu);
		if (crew->quit)
			break;
		seen = crew->gen;
		pthread_mutex_unlock(&crew->mu);
		work(crew, seen);
		pthread_mutex_lock(&crew->mu);
	}
	pthread_mutex_unlock(&crew->mu);
	return NULL;
}

struct age_crew *
age_crew_new(const u_char key[32])
{
	struct age_crew *crew;

	if ((crew = calloc(1, sizeof(*crew))) == NULL)
		return NULL;
	crew->key = key;
	pthread_mutex_init(&crew->mu, NULL);
	pthread_cond_init(&crew->go, NULL);
	pthread_cond_init(&crew->done, NULL);
	crew->nworkers = -1;	/* started on the first batch worth it */
	return crew;
}

/* One helper per further CPU; none is fine, the caller does it all. */
static void
crew_start(struct age_crew *crew)
{
	const char *env = getenv("PFISH_AGE_THREADS"), *errstr;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int i, want;

	crew->nworkers = 0;
	/* Benchmarks (and the odd operator) may choose the thread count. */
	if (env != NULL && (i = (int)strtonum(env, 1, AGE_CREW_MAX,
	    &errstr)) > 0 && errstr == NULL)
		ncpu = i;
	want = ncpu > AGE_CREW_MAX ? AGE_CREW_MAX : (int)ncpu;
	for (i = 0; i < want - 1; i++) {
		if (pthread_create(&crew->tid[i], NULL, crew_main, crew) != 0)
			break;
		crew->nworkers++;
	}
}

void
age_crew_begin(struct age_crew *crew, struct age_task *t, size_t n)
{
	/* Small files are done before a helper thread would be up. */
	if (n >= AGE_CREW_MIN && crew->nworkers < 0)
		crew_start(crew);
	pthread_mutex_lock(&crew->mu);
	crew->tasks = t;
	crew->ntasks = n;
	crew->finished = 0;
	crew->gen++;
	atomic_store(&crew->cursor, (crew->gen & 0xffffffff) << 32);
	/* One task is not worth waking anyone for. */
	if (n >= 2 && crew->nworkers > 0)
		pthread_cond_broadcast(&crew->go);
	pthread_mutex_unlock(&crew->mu);
}

void
age_crew_end(struct age_crew *crew)
{
	work(crew, crew->gen);
	pthread_mutex_lock(&crew->mu);
	while (crew->finished < crew->ntasks)
		pthread_cond_wait(&crew->done, &crew->mu);
	pthread_mutex_unlock(&crew->mu);
}

void
age_crew_free(struct age_crew *crew)
{
	int i;

	if (crew == NULL)
		return;
	pthread_mutex_lock(&crew->mu);
	crew->quit = 1;
	pthread_cond_broadcast(&crew->go);
	pthread_mutex_unlock(&crew->mu);
	for (i = 0; i < crew->nworkers; i++)
		pthread_join(crew->tid[i], NULL);
	pthread_mutex_destroy(&crew->mu);
	pthread_cond_destroy(&crew->go);
	pthread_cond_destroy(&crew->done);
	free(crew);
}
