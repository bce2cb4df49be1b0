// Package forms owns turning records into the official paper forms, the
// print register and the archive copies.
//
//   - Mapping (mapping.go, bulletin.go): an application, its co-signatures,
//     talks, feedback and events become the plain structs of package pdf,
//     with Chinese names of orgs and people, the workflow's labels and the
//     street's and working group's opinions from the audit trail. The same
//     records always map to the same struct.
//   - Routes (routes.go): GET /api/forms/{form}/{id} and
//     GET /api/forms/bulletin?month=YYYY-MM serve the PDFs to exactly those
//     who may view the record (the collection's view rule, reused), also
//     through a ?token= link for printing from a browser;
//     GET /api/forms/verify/{code} is public and answers what the QR code on
//     a paper copy points at.
//   - The print register (prints.go): every PDF produced gets a short
//     verification code and a form_prints row with who produced it, when,
//     and a hash of the printed content (the mapped struct without its
//     Meta), so a reader can tell whether the record has changed since.
//   - Archive copies (archive.go, archive_queue.go): on submission,
//     acceptance, the talk record and the feedback approval, the move's
//     transaction maps the form, reserves its verification code and queues
//     it (archive_jobs, the record's archive_pending); a worker started
//     with serve renders it and stores the PDF on the record, retrying a
//     failure with backoff, which never undoes the move.
//   - The command (command.go): yuetan forms --month YYYY-MM --out DIR
//     writes a month's forms and bulletin for the paper archive.
//
// Package pdf stays pure; this package is where PocketBase meets it.
package forms
