/*
 * health_endpoint.hpp: the pieces of the health endpoint worker, shared by
 * health_worker.cpp (GUCs, loop), health_conns.cpp (sockets) and
 * health_response.cpp (answers). Plain declarations; include after bridge/postgres.hpp.
 */
#pragma once

#include <cstddef>

namespace readscale::pg::health {

/* health_conns.cpp: the connection table, watched through one epoll descriptor. */
int conns_init();                                      /* the epoll descriptor to watch for readability, or -1 */
void conns_accept(pgsocket listener, TimestampTz now); /* accepts everything pending, evicting when full */
void conns_serve_ready(TimestampTz now);               /* reads and answers the connections with bytes waiting */
void conns_expire(TimestampTz now);                    /* answers 408 to connections past their deadline */
int conns_open();                                      /* connections held now */

/*
 * health_response.cpp: the answer to the bytes received so far, in a buffer
 * that stays valid until the next call; 0 while the request head is incomplete
 * and not timed out.
 */
std::size_t respond(const char *request, std::size_t length, bool timed_out, const char **response);

/* health_response.cpp: readscale.metrics() through SPI in readscale.http_database; false when unavailable. */
bool fetch_metrics(const char **text, std::size_t *length);

} // namespace readscale::pg::health
