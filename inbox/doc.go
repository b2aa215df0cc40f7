// Package inbox is the comments inbox: the comments and replies the
// collector reads on each channel's posts (comments, comment_cursors), the
// staff's work on them (reply, hide, assign, done, every action in the
// audit log), and the replies written in humas (comment_replies), which go
// through the unit's approval rule and are published exactly once: an
// uncertain answer from Meta is reconciled against the comment's replies
// on the platform before anything is sent again.
package inbox
