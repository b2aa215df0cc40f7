package api

// inboxPaths documents the comments inbox routes (MountInbox).
func inboxPaths() oaObj {
	id := oaPathParam("id", "comment id")
	op := func(summary, ok string, body oaObj, params ...oaObj) oaObj {
		resp := oaObj{ok: oaJSONResp("the comment or reply", oaAny), "400": oaErrResp, "403": oaErrResp, "404": oaErrResp,
			"409": oaErrResp, "422": oaErrResp}
		return oaAuthed(oaOp(summary, "inbox", params, body, resp))
	}
	obj := func(required string, props oaObj) oaObj {
		return oaJSONBody(oaObj{"type": "object", "additionalProperties": false, "required": []string{required}, "properties": props})
	}
	return oaObj{
		"/api/v1/comments": oaObj{"get": op("the comments inbox of the caller's unit and the units below it (an admin: all): new first, then newest first; each with the post it is on and its replies",
			"200", nil,
			oaQueryParam("unit", "only this unit and the units below it (id or slug)", oaStr),
			oaQueryParam("channel_id", "only this channel", oaInt), oaQueryParam("post", "only this platform post", oaStr),
			oaQueryParam("status", "new or done", oaEnum("new", "done")), oaQueryParam("question", "only questions (true) or only other comments (false)", oaObj{"type": "boolean"}),
			oaQueryParam("assignee", "only comments assigned to this user id", oaInt),
			oaQueryParam("limit", "1 to 200 (default 50)", oaInt), oaQueryParam("offset", "skip this many", oaInt))},
		"/api/v1/comments/{id}": oaObj{"get": op("one comment with its replies", "200", nil, id)},
		"/api/v1/comments/{id}/replies": oaObj{"post": op("reply to a comment (editor, approver, PPID or admin): where the unit requires approval the reply waits for an approver who did not write it, otherwise it is published now, once",
			"200", obj("message", oaObj{"message": oaStr}), id)},
		"/api/v1/comments/{id}/hide": oaObj{"post": op("hide the comment on the platform (spam, abuse), or show it again", "200",
			obj("hidden", oaObj{"hidden": oaObj{"type": "boolean"}}), id)},
		"/api/v1/comments/{id}/assign": oaObj{"post": op("assign the comment to a colleague of its unit or a unit above (0: nobody)", "200",
			obj("assignee_id", oaObj{"assignee_id": oaInt}), id)},
		"/api/v1/comments/{id}/done": oaObj{"post": op("mark the comment done, or new again", "200", obj("done", oaObj{"done": oaObj{"type": "boolean"}}), id)},
		"/api/v1/comment-replies/{id}/approve": oaObj{"post": op("approve a waiting reply (an approver of the unit or above who did not write it) and publish it once",
			"200", nil, oaPathParam("id", "reply id"))},
		"/api/v1/comments/{id}/ppid-request": oaObj{"post": op("the comment's question becomes a public-information request (PPID, editor, approver or admin): the commenter is the requester, the comment's time its receipt, due 10 working days later",
			"201", obj("category", oaObj{"category": oaEnum("berkala", "serta_merta", "setiap_saat", "dikecualikan")}), id)},
		"/api/v1/ppid-requests": oaObj{
			"get": op("the information requests of the caller's unit and below: open ones first by working days left, then closed ones", "200", nil,
				oaQueryParam("unit", "only this unit and below (id or slug)", oaStr), oaQueryParam("status", "open, answered or refused", oaEnum("open", "answered", "refused"))),
			"post": op("record a request received by letter, email or at the desk", "201", obj("question", oaObj{"requester_name": oaStr, "requester_id": oaStr,
				"question": oaStr, "category": oaEnum("berkala", "serta_merta", "setiap_saat", "dikecualikan"), "received_at": oaObj{"type": "string", "format": "date-time"}, "unit": oaStr})),
		},
		"/api/v1/ppid-requests/{id}": oaObj{"get": op("one information request with its deadline and working days left", "200", nil, oaPathParam("id", "request id"))},
		"/api/v1/ppid-requests/{id}/extend": oaObj{"post": op("extend the deadline once by 7 working days, with the reason (PPID)", "200",
			obj("reason", oaObj{"reason": oaStr}), oaPathParam("id", "request id"))},
		"/api/v1/ppid-requests/{id}/reply": oaObj{"post": op("answer with a public reply to the comment the request came from (the unit's approval rule applies; the request closes when the reply is published)", "200",
			obj("message", oaObj{"message": oaStr}), oaPathParam("id", "request id"))},
		"/api/v1/ppid-requests/{id}/answer": oaObj{"post": op("close as answered through another channel, with a note of how (PPID)", "200",
			obj("note", oaObj{"note": oaStr}), oaPathParam("id", "request id"))},
		"/api/v1/ppid-requests/{id}/refuse": oaObj{"post": op("refuse under an exemption, with its legal basis and the reason (PPID)", "200",
			obj("legal_basis", oaObj{"legal_basis": oaStr, "reason": oaStr}), oaPathParam("id", "request id"))},
		"/api/v1/events": oaObj{
			"get": op("the agenda: events of the unit and the units above it overlapping the range", "200", nil,
				oaQueryParam("unit", "id or slug (default: the caller's)", oaStr), oaQueryParam("from", "date (default 30 days ago)", oaDate),
				oaQueryParam("to", "date (default 90 days ahead)", oaDate)),
			"post": op("add an event by hand (editor, approver, PPID or admin)", "201", obj("title", oaObj{"title": oaStr,
				"type": oaEnum("election_stage", "national_day", "plenary", "deadline", "campaign"), "start": oaObj{"type": "string", "format": "date-time"},
				"end": oaObj{"type": "string", "format": "date-time"}, "all_day": oaObj{"type": "boolean"}, "unit": oaStr})),
		},
		"/api/v1/events/import": oaObj{"post": oaAuthed(oaOp("import an iCalendar file (RFC 5545) into a unit's agenda; a re-import updates events by UID", "inbox",
			[]oaObj{oaQueryParam("unit", "id or slug (default: the caller's)", oaStr), oaQueryParam("type", "the type of events whose CATEGORIES say none", oaEnum("election_stage", "national_day", "plenary", "deadline", "campaign"))},
			oaObj{"required": true, "content": oaObj{"text/calendar": oaObj{"schema": oaObj{"type": "string"}}}},
			oaObj{"200": oaJSONResp("what was added and updated", oaAny), "403": oaErrResp, "422": oaErrResp}))},
		"/api/v1/comment-replies/{id}/reject": oaObj{"post": op("turn a waiting reply down, with a reason", "200",
			obj("reason", oaObj{"reason": oaStr}), oaPathParam("id", "reply id"))},
	}
}
