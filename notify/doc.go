// Package notify delivers the supervision office's records to the people
// they are aimed at (催办 that arrives). A reminder, overdue flag,
// criticism, accountability notice or bulletin about an application
// becomes, in the same transaction as the supervision record, one inbox
// record (collection notifications) per responsible person and one outbox
// row per notification and channel (collection outbox): in-app, e-mail
// through PocketBase's mailer, SMS through a signed HTTP webhook.
//
// In-app delivery is the commit itself: the inbox record exists and
// PocketBase's realtime sends it to the recipient's open pages (a page
// that was offline re-reads its inbox on reconnect). E-mail and SMS go
// out from a worker:
//
//  1. claim a due row in a transaction: status sending, a claim token and
//     a lease (lease_until), attempts+1;
//  2. send, with the outbox row's id as the idempotency key (the SMS
//     webhook's Idempotency-Key header and JSON id, the e-mail's
//     Message-ID);
//  3. mark it, in a transaction and only while the claim is still ours:
//     sent, or pending again with a backoff, or failed.
//
// A server that dies between 1 and 3 leaves the row sending; once its
// lease has run out the next worker claims it again and sends it again
// with the same key. Delivery to the gateway is therefore at least once,
// and exactly once to a receiver that keeps the keys it has seen (the SMS
// webhook contract, README); SMTP has no such contract, so a mail may
// arrive twice in that window, with the same Message-ID.
package notify
