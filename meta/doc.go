// Package meta is humas's typed client for the Meta Graph API: publishing to
// Facebook Pages and Instagram professional accounts, reading posts, media,
// counts and insights, batch requests, usage headers and token health.
//
// Every method takes a context and the access token of the channel it acts
// for. Errors from the platform are returned as *Error, carrying a Class the
// caller acts on; transport failures are *NetError, which tells a request that
// may have reached Meta (an uncertain outcome) from one that was never sent.
// Tokens never appear in logs or error strings.
package meta
