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

/* conn.c: an SSH session set up like ssh(1): config, host keys, keys. */

#include <sys/types.h>

#include <err.h>
#include <fnmatch.h>
#include <glob.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libssh/libssh.h>
#include <libssh/callbacks.h>

#include "client.h"

struct conn {
	ssh_session	 s;
	struct ssh_callbacks_struct cb;
	char		*user;
	char		*host;
	unsigned int	 port;
	int		 batch;
	long		 connect_timeout;	/* -o ConnectTimeout, or 0 */
	long		 alive_interval;	/* -o ServerAliveInterval */
	long		 alive_count;		/* -o ServerAliveCountMax */
	const char	*opt_user;		/* -o User, or NULL */
	int		 iotimeout;		/* seconds, for every reply */
};

/* -o keywords pfish hands to libssh; anything else is an error. */
static const struct {
	const char		*name;
	enum ssh_options_e	 opt;
	enum ssh_options_e	 opt2;	/* set too when != opt */
} conn_sshopts[] = {
	{ "Port", SSH_OPTIONS_PORT_STR, SSH_OPTIONS_PORT_STR },
	{ "User", SSH_OPTIONS_USER, SSH_OPTIONS_USER },
	{ "HostName", SSH_OPTIONS_HOST, SSH_OPTIONS_HOST },
	{ "IdentityFile", SSH_OPTIONS_IDENTITY, SSH_OPTIONS_IDENTITY },
	{ "UserKnownHostsFile", SSH_OPTIONS_KNOWNHOSTS,
	    SSH_OPTIONS_KNOWNHOSTS },
	{ "GlobalKnownHostsFile", SSH_OPTIONS_GLOBAL_KNOWNHOSTS,
	    SSH_OPTIONS_GLOBAL_KNOWNHOSTS },
	{ "ProxyCommand", SSH_OPTIONS_PROXYCOMMAND, SSH_OPTIONS_PROXYCOMMAND },
	{ "Ciphers", SSH_OPTIONS_CIPHERS_C_S, SSH_OPTIONS_CIPHERS_S_C },
	{ "MACs", SSH_OPTIONS_HMAC_C_S, SSH_OPTIONS_HMAC_S_C },
	{ "KexAlgorithms", SSH_OPTIONS_KEY_EXCHANGE, SSH_OPTIONS_KEY_EXCHANGE },
	{ "HostKeyAlgorithms", SSH_OPTIONS_HOSTKEYS, SSH_OPTIONS_HOSTKEYS },
	{ "PubkeyAcceptedKeyTypes", SSH_OPTIONS_PUBLICKEY_ACCEPTED_TYPES,
	    SSH_OPTIONS_PUBLICKEY_ACCEPTED_TYPES },
	{ "PubkeyAcceptedAlgorithms", SSH_OPTIONS_PUBLICKEY_ACCEPTED_TYPES,
	    SSH_OPTIONS_PUBLICKEY_ACCEPTED_TYPES },
	{ "Compression", SSH_OPTIONS_COMPRESSION, SSH_OPTIONS_COMPRESSION },
	{ "BindAddress", SSH_OPTIONS_BINDADDR, SSH_OPTIONS_BINDADDR },
	{ "IdentityAgent", SSH_OPTIONS_IDENTITY_AGENT,
	    SSH_OPTIONS_IDENTITY_AGENT },
	{ "LogLevel", SSH_OPTIONS_LOG_VERBOSITY_STR,
	    SSH_OPTIONS_LOG_VERBOSITY_STR },
};

static int
conn_auth_cb(const char *prompt, char *buf, size_t len, int echo, int verify,
    void *userdata)
{
	struct conn *c = userdata;

	if (c->batch || !isatty(STDIN_FILENO))
		return -1;
	return ssh_getpass(prompt, buf, len, echo, verify);
}

static int
parse_strict(const char *v, enum strict_mode *m)
{
	if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "ask") == 0)
		*m = STRICT_YES;
	else if (strcasecmp(v, "accept-new") == 0)
		*m = STRICT_ACCEPT_NEW;
	else if (strcasecmp(v, "no") == 0 || strcasecmp(v, "off") == 0)
		*m = STRICT_NO;
	else
		return -1;
	return 0;
}

/* A number of seconds for -o Keyword=N, 1 to a day. */
static int
parse_secs(const char *arg, const char *v, long *out)
{
	const char *e;

	*out = (long)strtonum(v, 1, 86400, &e);
	if (e != NULL) {
		warnx("-o %s: seconds %s", arg, e);
		return -1;
	}
	return 0;
}

/* Timeouts pfish applies itself (pfish(1) TIMEOUTS); 1 if not one. */
static int
apply_timeout(struct conn *c, const char *key, const char *v,
    const char *arg)
{
	if (strcasecmp(key, "ConnectTimeout") == 0)
		return parse_secs(arg, v, &c->connect_timeout);
	if (strcasecmp(key, "ServerAliveInterval") == 0)
		return parse_secs(arg, v, &c->alive_interval);
	if (strcasecmp(key, "ServerAliveCountMax") == 0)
		return parse_secs(arg, v, &c->alive_count);
	return 1;
}

/* One -o "Key=value" or "Key value"; settings pfish handles itself first. */
static int
apply_sshopt(struct conn *c, struct client_opts *o, const char *arg)
{
	char key[64];
	const char *v;
	size_t i, klen;
	int r;

	klen = strcspn(arg, "= \t");
	v = arg + klen;
	v += strspn(v, "= \t");
	if (klen == 0 || klen >= sizeof(key) || *v == '\0') {
		warnx("-o %s: expected Keyword=value", arg);
		return -1;
	}
	memcpy(key, arg, klen);
	key[klen] = '\0';
	if (strcasecmp(key, "StrictHostKeyChecking") == 0) {
		if (parse_strict(v, &o->strict) != 0) {
			warnx("-o %s: unknown value", arg);
			return -1;
		}
		return 0;
	}
	if (strcasecmp(key, "BatchMode") == 0) {
		o->batch = c->batch = strcasecmp(v, "yes") == 0;
		return 0;
	}
	if ((r = apply_timeout(c, key, v, arg)) != 1)
		return r;
	if (strcasecmp(key, "User") == 0)
		c->opt_user = v;	/* for Match user (config_alive) */
	for (i = 0; i < sizeof(conn_sshopts) / sizeof(conn_sshopts[0]); i++) {
		if (strcasecmp(key, conn_sshopts[i].name) != 0)
			continue;
		if (ssh_options_set(c->s, conn_sshopts[i].opt, v) != 0 ||
		    (conn_sshopts[i].opt2 != conn_sshopts[i].opt &&
		    ssh_options_set(c->s, conn_sshopts[i].opt2, v) != 0)) {
			warnx("-o %s: %s", arg, ssh_get_error(c->s));
			return -1;
		}
		return 0;
	}
	warnx("-o %s: option not supported by pfish (libssh)", key);
	return -1;
}

/*
 * A pattern list: an ssh_config Host line's blank-separated patterns, or
 * a Match criterion's comma-separated ones; '!' negates.  Host names
 * match without regard to case, user names (fold 0) with it, as in ssh.
 */
static int
list_matches(const char *name, char *pats, const char *seps, int fold)
{
	char *p, *save = NULL;
	int neg, got = 0;

	if (name == NULL)
		return 0;
	for (p = strtok_r(pats, seps, &save); p != NULL;
	    p = strtok_r(NULL, seps, &save)) {
		neg = *p == '!';
		if (fnmatch(p + neg, name, fold ? FNM_CASEFOLD : 0) == 0) {
			if (neg)
				return 0;
			got = 1;
		}
	}
	return got;
}

/* Whom the configuration is read for. */
struct config_for {
	const char	*host;		/* as given on the command line */
	const char	*hostname;	/* after HostName, as libssh resolved it */
	const char	*localuser;	/* running pfish, or NULL */
	const char	*dir;		/* relative Include files, or NULL */
	/* The user to log in as, as known so far: given, or a User line. */
	char		 user[256];
};

/*
 * A Match line: "all", or criteria that must all hold, each one negated
 * by a leading '!', each with a pattern list: "host" (against the
 * resolved name), "originalhost" (the name given), "user" (the user to
 * log in as, as far as the files read so far say, else the local one,
 * as in ssh) and "localuser" (the one running pfish).  Any other
 * criterion (exec, canonical, final, ...) makes the block not apply
 * here: pfish runs no command named in the file (libssh runs an exec for
 * the options it applies itself, and does not tell its result).
 */
static int
match_applies(char *args, const struct config_for *cf)
{
	char *crit, *arg, *save = NULL;
	int neg, hit, n = 0;

	for (crit = strtok_r(args, " \t", &save); crit != NULL;
	    crit = strtok_r(NULL, " \t", &save), n++) {
		if (strcasecmp(crit, "all") == 0)
			continue;
		neg = *crit == '!';
		crit += neg;
		if ((arg = strtok_r(NULL, " \t", &save)) == NULL)
			return 0;
		if (strcasecmp(crit, "host") == 0)
			hit = list_matches(cf->hostname, arg, ",", 1);
		else if (strcasecmp(crit, "originalhost") == 0)
			hit = list_matches(cf->host, arg, ",", 1);
		else if (strcasecmp(crit, "user") == 0)
			hit = list_matches(*cf->user != '\0' ? cf->user :
			    cf->localuser, arg, ",", 0);
		else if (strcasecmp(crit, "localuser") == 0)
			hit = list_matches(cf->localuser, arg, ",", 0);
		else
			return 0;
		if (hit == neg)
			return 0;
	}
	return n > 0;
}

/* A keyword's value of 1 to 86400 seconds, once (the first one wins). */
static void
config_secs(long *out, const char *v)
{
	const char *e;
	long n;

	n = (long)strtonum(v, 1, 86400, &e);
	if (*out == 0 && e == NULL)
		*out = n;
}

/* Include nests at most this deep, as in ssh. */
#define CONFIG_DEPTH_MAX	16

static void	config_alive(struct conn *, const char *,
		    struct config_for *, int);

/*
 * An Include line's files: each argument a glob(3) pattern, "~/" the home
 * directory, a relative one under dir (~/.ssh for the user's files,
 * /etc/ssh for the system's); patterns matching nothing are skipped.
 */
static void
config_include(struct conn *c, char *args, struct config_for *cf,
    int depth)
{
	char *p, *save = NULL, pat[1024];
	const char *home = getenv("HOME");
	glob_t g;
	size_t i;
	int n;

	for (p = strtok_r(args, " \t", &save); p != NULL;
	    p = strtok_r(NULL, " \t", &save)) {
		if (strncmp(p, "~/", 2) == 0)
			n = home == NULL ? -1 :
			    snprintf(pat, sizeof(pat), "%s/%s", home, p + 2);
		else if (*p == '/')
			n = snprintf(pat, sizeof(pat), "%s", p);
		else
			n = cf->dir == NULL ? -1 :
			    snprintf(pat, sizeof(pat), "%s/%s", cf->dir, p);
		if (n < 0 || (size_t)n >= sizeof(pat))
			continue;
		if (glob(pat, 0, NULL, &g) != 0)
			continue;
		for (i = 0; i < g.gl_pathc; i++)
			config_alive(c, g.gl_pathv[i], cf, depth + 1);
		globfree(&g);
	}
}

/*
 * ServerAliveInterval and ServerAliveCountMax from an ssh_config file,
 * which libssh reads but does not apply.  As in ssh, the first value
 * obtained for the host wins (after -o); Host and Match blocks (as
 * match_applies says) and Include (within a block that applies, the
 * includer's state unchanged by it) are followed, and the first User
 * line that applies names the user for a later Match user unless one
 * was given.
 */
static void
config_alive(struct conn *c, const char *path, struct config_for *cf,
    int depth)
{
	FILE *fp;
	char line[1024], *k, *e, *v;
	int active = 1;

	if (depth > CONFIG_DEPTH_MAX) {
		warnx("%s: Include nested too deep", path);
		return;
	}
	if ((fp = fopen(path, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), fp) != NULL) {
		k = line + strspn(line, " \t");
		k[strcspn(k, "\r\n")] = '\0';
		if (*k == '#' || *k == '\0')
			continue;
		e = k + strcspn(k, " \t=");
		v = e + strspn(e, " \t");
		if (*v == '=')
			v++;
		v += strspn(v, " \t");
		*e = '\0';
		if (strcasecmp(k, "Host") == 0)
			active = list_matches(cf->host, v, " \t", 1);
		else if (strcasecmp(k, "Match") == 0)
			active = match_applies(v, cf);
		else if (active && strcasecmp(k, "Include") == 0)
			config_include(c, v, cf, depth);
		else if (active && strcasecmp(k, "User") == 0 &&
		    *cf->user == '\0') {
			v[strcspn(v, " \t")] = '\0';
			(void)strlcpy(cf->user, v, sizeof(cf->user));
		}
		else if (active && strcasecmp(k, "ServerAliveInterval") == 0)
			config_secs(&c->alive_interval, v);
		else if (active && strcasecmp(k, "ServerAliveCountMax") == 0)
			config_secs(&c->alive_count, v);
	}
	fclose(fp);
}

/* The files ssh(1) would read: -F, else the user's and the system's. */
static void
config_alive_all(struct conn *c, const struct client_opts *o)
{
	struct config_for cf;
	struct passwd *pw;
	char path[1024], dir[1024], *hostname = NULL, local[256] = "";
	const char *home = getenv("HOME"), *given;
	int n;

	/* Without a home, no user file and no relative Include of one. */
	cf.dir = home != NULL && (n = snprintf(dir, sizeof(dir), "%s/.ssh",
	    home)) > 0 && (size_t)n < sizeof(dir) ? dir : NULL;
	cf.host = o->host;
	cf.hostname = ssh_options_get(c->s, SSH_OPTIONS_HOST, &hostname) ==
	    SSH_OK ? hostname : o->host;
	if ((pw = getpwuid(getuid())) != NULL)
		(void)strlcpy(local, pw->pw_name, sizeof(local));
	cf.localuser = *local != '\0' ? local : NULL;
	/* -o User wins over user@host (conn_configure applies it last). */
	given = c->opt_user != NULL ? c->opt_user : o->user;
	(void)strlcpy(cf.user, given != NULL ? given : "", sizeof(cf.user));
	if (o->config != NULL)
		config_alive(c, o->config, &cf, 0);
	else {
		if (cf.dir != NULL && (n = snprintf(path, sizeof(path),
		    "%s/config", cf.dir)) > 0 && (size_t)n < sizeof(path))
			config_alive(c, path, &cf, 0);
		cf.dir = "/etc/ssh";
		config_alive(c, "/etc/ssh/ssh_config", &cf, 0);
	}
	ssh_string_free_char(hostname);
}

/*
 * The I/O timeout: -t, else ServerAliveInterval times ServerAliveCountMax
 * (3 unless given) like ssh(1), else CLIENT_IOTIMEOUT.  It also bounds the
 * connection set-up unless ConnectTimeout (ssh_config or -o) says otherwise.
 */
static int
conn_timeouts(struct conn *c, const struct client_opts *o)
{
	long t;

	if (o->iotimeout > 0)
		c->iotimeout = o->iotimeout;
	else if (c->alive_interval > 0)
		c->iotimeout = (int)(c->alive_interval *
		    (c->alive_count > 0 ? c->alive_count : 3));
	else
		c->iotimeout = CLIENT_IOTIMEOUT;
	if (c->connect_timeout == 0)
		return 0;
	t = c->connect_timeout;
	return ssh_options_set(c->s, SSH_OPTIONS_TIMEOUT, &t);
}

static int
conn_configure(struct conn *c, struct client_opts *o)
{
	size_t i;
	long t = o->iotimeout > 0 ? o->iotimeout : CLIENT_IOTIMEOUT;
	int v = o->verbose > 1 ? SSH_LOG_PROTOCOL + o->verbose - 2 :
	    SSH_LOG_NOLOG;
	int nodelay = 1;

	/*
	 * Every request waits for its reply, and the channel's window
	 * adjustments go out on their own just before one: with Nagle's
	 * algorithm the request then waits for the server's delayed ACK
	 * (40 ms on Linux) behind the small adjustment.  Packets are
	 * whole when written, so nothing is gained by holding them.
	 */
	/* Before the configuration file, whose ConnectTimeout wins. */
	if (ssh_options_set(c->s, SSH_OPTIONS_HOST, o->host) != 0 ||
	    ssh_options_set(c->s, SSH_OPTIONS_LOG_VERBOSITY, &v) != 0 ||
	    ssh_options_set(c->s, SSH_OPTIONS_TIMEOUT, &t) != 0 ||
	    ssh_options_set(c->s, SSH_OPTIONS_NODELAY, &nodelay) != 0)
		goto bad;
	if (ssh_options_parse_config(c->s, o->config) != 0) {
		warnx("%s: cannot read ssh configuration",
		    o->config ? o->config : "~/.ssh/config");
		return -1;
	}
	if ((o->user && ssh_options_set(c->s, SSH_OPTIONS_USER, o->user)) ||
	    (o->port && ssh_options_set(c->s, SSH_OPTIONS_PORT_STR, o->port)) ||
	    (o->identity &&
	    ssh_options_set(c->s, SSH_OPTIONS_IDENTITY, o->identity)))
		goto bad;
	for (i = 0; i < o->nsshopts; i++)
		if (apply_sshopt(c, o, o->sshopts[i]) != 0)
			return -1;
	config_alive_all(c, o);
	if (conn_timeouts(c, o) != 0)
		goto bad;
	v = 0;
	if (ssh_options_set(c->s, SSH_OPTIONS_PROCESS_CONFIG, &v) != 0)
		goto bad;
	return 0;
 bad:
	warnx("ssh options: %s", ssh_get_error(c->s));
	return -1;
}

/* Like ssh: unknown or changed host keys are refused unless told so. */
static int
conn_check_host(struct conn *c, enum strict_mode strict)
{
	ssh_key key = NULL;
	unsigned char *hash = NULL;
	char *fp = NULL;
	size_t hlen;
	const char *type = "unknown";
	int r = -1;

	if (ssh_get_server_publickey(c->s, &key) != 0 ||
	    ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash,
	    &hlen) != 0 ||
	    (fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash,
	    hlen)) == NULL) {
		warnx("%s: cannot get host key: %s", c->host,
		    ssh_get_error(c->s));
		goto out;
	}
	type = ssh_key_type_to_char(ssh_key_type(key));
	switch (ssh_session_is_known_server(c->s)) {
	case SSH_KNOWN_HOSTS_OK:
		r = 0;
		break;
	case SSH_KNOWN_HOSTS_CHANGED:
	case SSH_KNOWN_HOSTS_OTHER:
		warnx("WARNING: the %s host key of %s has CHANGED (now %s); "
		    "someone may be intercepting the connection.  Refusing "
		    "to connect; fix known_hosts if the change is expected.",
		    type, c->host, fp);
		break;
	case SSH_KNOWN_HOSTS_UNKNOWN:
	case SSH_KNOWN_HOSTS_NOT_FOUND:
		if (strict == STRICT_YES) {
			warnx("host %s is not in known_hosts; its %s key is "
			    "%s.  Refusing to connect.  Add it with ssh(1), or "
			    "use -o StrictHostKeyChecking=accept-new to trust "
			    "it on first use.", c->host, type, fp);
			break;
		}
		if (ssh_session_update_known_hosts(c->s) != SSH_OK) {
			warnx("cannot add %s to known_hosts: %s", c->host,
			    ssh_get_error(c->s));
			break;
		}
		warnx("permanently added %s (%s %s) to known_hosts", c->host,
		    type, fp);
		r = 0;
		break;
	default:
		warnx("%s: known_hosts check failed: %s", c->host,
		    ssh_get_error(c->s));
		break;
	}
 out:
	ssh_string_free_char(fp);
	ssh_clean_pubkey_hash(&hash);
	ssh_key_free(key);
	return r;
}

static int
conn_auth(struct conn *c)
{
	int r;

	r = ssh_userauth_none(c->s, NULL);
	if (r == SSH_AUTH_SUCCESS)
		return 0;
	if (r == SSH_AUTH_ERROR)
		goto bad;
	r = ssh_userauth_publickey_auto(c->s, NULL, NULL);
	if (r == SSH_AUTH_SUCCESS)
		return 0;
	if (r == SSH_AUTH_ERROR)
		goto bad;
	warnx("%s@%s: permission denied (publickey): no key from the agent "
	    "or the identity files was accepted", c->user, c->host);
	return -1;
 bad:
	warnx("%s: authentication failed: %s", c->host, ssh_get_error(c->s));
	return -1;
}

static int
conn_fill(struct conn *c)
{
	char *u = NULL, *h = NULL;
	int r = -1;

	/*
	 * No user on the command line or in the configuration: as ssh,
	 * the local user's name (libssh sets it only when connecting).
	 */
	if ((ssh_options_get(c->s, SSH_OPTIONS_USER, &u) != SSH_OK &&
	    (ssh_options_set(c->s, SSH_OPTIONS_USER, NULL) != 0 ||
	    ssh_options_get(c->s, SSH_OPTIONS_USER, &u) != SSH_OK)) ||
	    ssh_options_get(c->s, SSH_OPTIONS_HOST, &h) != SSH_OK ||
	    ssh_options_get_port(c->s, &c->port) != SSH_OK) {
		warnx("ssh options: %s", ssh_get_error(c->s));
		goto out;
	}
	if ((c->user = strdup(u)) == NULL || (c->host = strdup(h)) == NULL) {
		warn("strdup");
		goto out;
	}
	r = 0;
 out:
	ssh_string_free_char(u);
	ssh_string_free_char(h);
	return r;
}

int
conn_open(struct client_opts *o, struct conn **out)
{
	struct conn *c;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		warn("calloc");
		return -1;
	}
	c->batch = o->batch;
	if ((c->s = ssh_new()) == NULL) {
		warnx("ssh_new failed");
		goto bad;
	}
	c->cb.userdata = c;
	c->cb.auth_function = conn_auth_cb;
	ssh_callbacks_init(&c->cb);
	if (ssh_set_callbacks(c->s, &c->cb) != SSH_OK ||
	    conn_configure(c, o) != 0 || conn_fill(c) != 0)
		goto bad;
	if (ssh_connect(c->s) != SSH_OK) {
		warnx("%s port %u: %s", c->host, c->port, ssh_get_error(c->s));
		goto bad;
	}
	if (conn_check_host(c, o->strict) != 0 || conn_auth(c) != 0)
		goto bad;
	*out = c;
	return 0;
 bad:
	conn_close(c);
	return -1;
}

void
conn_close(struct conn *c)
{
	if (c == NULL)
		return;
	if (c->s != NULL) {
		if (ssh_is_connected(c->s))
			ssh_disconnect(c->s);
		ssh_free(c->s);
	}
	free(c->user);
	free(c->host);
	free(c);
}

const char *
conn_user(const struct conn *c)
{
	return c->user;
}

const char *
conn_host(const struct conn *c)
{
	return c->host;
}

unsigned int
conn_port(const struct conn *c)
{
	return c->port;
}

/* "SHA256:..." of the server's host key into buf; 0 or -1. */
int
conn_hostkey_fp(struct conn *c, char *buf, size_t len)
{
	ssh_key key = NULL;
	unsigned char *hash = NULL;
	char *fp = NULL;
	size_t hlen;
	int r = -1;

	if (ssh_get_server_publickey(c->s, &key) == 0 &&
	    ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash,
	    &hlen) == 0 &&
	    (fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash,
	    hlen)) != NULL && strlcpy(buf, fp, len) < len)
		r = 0;
	ssh_string_free_char(fp);
	ssh_clean_pubkey_hash(&hash);
	ssh_key_free(key);
	return r;
}

void *
conn_session(struct conn *c)
{
	return c->s;
}

int
conn_iotimeout(const struct conn *c)
{
	return c->iotimeout;
}
