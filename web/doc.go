// Package web serves humas's server-rendered pages for the humas team and
// division heads: sign-in with an API token into a server-side session,
// the content calendar and list, compose and edit, the approval queue,
// channel health and the engagement report with server-drawn SVG charts.
//
// Pages are html/template files embedded with embed.FS, in Bahasa
// Indonesia by default and English on request, with numbers and dates in
// Indonesian format. Everything reads without JavaScript; one small script
// adds live caption counts on the compose page. Every form carries a CSRF
// token; a missing or wrong one is answered 403.
//
// The rules (validation, state transitions, permissions, engagement maths)
// live in scheduler and analytics; this package only renders them.
package web
