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
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "age.h"
#include "agecrypt.h"

/*
 * The caller's thread takes tasks 0, n+1, 2(n+1), ...; worker i takes
 * i+1, i+1+(n+1), ...  A batch is published under the mutex with a new
 * generation number; the caller waits until every worker has finished.
 */
struct age_crew {
	const u_char	*key;
	int		 nworkers;
	pthread_t	 tid[AGE_CREW_MAX];
	pthread_mutex_t	 mu;
	pthread_cond_t	 go;
	pthread_cond_t	 done;
	uint64_t	 gen;
	int		 pending;
	int		 quit;
	struct age_task	*tasks;
	size_t		 ntasks;
};

struct crew_arg {
	struct age_crew	*crew;
	int		 idx;
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
 * be the last.  The output of a failed attempt is wiped by libsodium,
 * which is why opening is never done in place.
 */
static void
task_run(const u_char *key, struct age_task *t)
{
	u_char nonce[12];
	size_t mlen;

	if (t->op == AGE_TASK_SEAL) {
		chunk_nonce(nonce, t->ctr, t->last);
		crypto_aead_chacha20poly1305_ietf_encrypt_detached(t->out,
		    t->out + t->inlen, NULL, t->in, t->inlen, NULL, 0, NULL,
		    nonce, key);
		t->result = 0;
		return;
	}
	mlen = t->inlen - AGE_TAG_LEN;
	t->result = AGE_ERR_PAYLOAD;
	for (t->last = t->inlen == AGE_CHUNK_CT_LEN ? 0 : 1; t->last <= 1;
	    t->last++) {
		chunk_nonce(nonce, t->ctr, t->last);
		if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(t->out,
		    NULL, t->in, mlen, t->in + mlen, NULL, 0, nonce,
		    key) == 0) {
			t->result = 0;
			return;
		}
	}
}

static void
run_share(struct age_crew *crew, struct age_task *t, size_t n, int idx)
{
	size_t i, step = (size_t)crew->nworkers + 1;

	for (i = (size_t)idx; i < n; i += step)
		task_run(crew->key, &t[i]);
}

static void *
crew_main(void *argp)
{
	struct crew_arg *arg = argp;
	struct age_crew *crew = arg->crew;
	uint64_t seen = 0;

	pthread_mutex_lock(&crew->mu);
	for (;;) {
		while (!crew->quit && crew->gen == seen)
			pthread_cond_wait(&crew->go, &crew->mu);
		if (crew->quit)
			break;
		seen = crew->gen;
		pthread_mutex_unlock(&crew->mu);
		run_share(crew, crew->tasks, crew->ntasks, arg->idx + 1);
		pthread_mutex_lock(&crew->mu);
		if (--crew->pending == 0)
			pthread_cond_signal(&crew->done);
	}
	pthread_mutex_unlock(&crew->mu);
	free(arg);
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
	struct crew_arg *arg;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int i, want;

	crew->nworkers = 0;
	want = ncpu > AGE_CREW_MAX ? AGE_CREW_MAX : (int)ncpu;
	for (i = 0; i < want - 1; i++) {
		if ((arg = malloc(sizeof(*arg))) == NULL)
			break;
		arg->crew = crew;
		arg->idx = i;
		if (pthread_create(&crew->tid[i], NULL, crew_main, arg) != 0) {
			free(arg);
			break;
		}
		crew->nworkers++;
	}
}

void
age_crew_run(struct age_crew *crew, struct age_task *t, size_t n)
{
	int saved;

	if (n >= 2 && crew->nworkers < 0)
		crew_start(crew);
	saved = crew->nworkers;
	if (n < 2 || crew->nworkers <= 0) {
		crew->nworkers = 0;
		run_share(crew, t, n, 0);
		crew->nworkers = saved;
		return;
	}
	pthread_mutex_lock(&crew->mu);
	crew->tasks = t;
	crew->ntasks = n;
	crew->pending = crew->nworkers;
	crew->gen++;
	pthread_cond_broadcast(&crew->go);
	pthread_mutex_unlock(&crew->mu);
	run_share(crew, t, n, 0);
	pthread_mutex_lock(&crew->mu);
	while (crew->pending > 0)
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
