// Package ppid keeps public-information requests (permohonan informasi):
// a question asked in a comment (or elsewhere) becomes a request with its
// requester, category and legal deadline (10 working days, extendable once
// by 7, counting Indonesia's public holidays from a configurable list),
// and closes when it is answered (a public reply through the inbox, or a
// note that it was answered through another channel) or refused with the
// exemption's legal basis. It finds overdue requests and counts the
// monthly service figures (received, on time, late, refused).
package ppid
