-- yuetan roll-up: every district's synced collections, keyed by (district, id).
-- A released migration never changes: add a new numbered pair instead.
CREATE SCHEMA yuetan;

-- One row per district code: which server owns it and how far its change
-- feed has been applied. applied_seq is written in the same transaction as
-- the rows it covers; probes are the last records applied (with their
-- seq), pruned_seen the district's tombstone-pruning horizon when a copy
-- from scratch began (see source.go: a feed that went backwards).
CREATE TABLE yuetan.districts (
    code        text PRIMARY KEY CHECK (code ~ '^[A-Za-z0-9_-]{1,32}$'),
    server_id   text        NOT NULL,
    name        text        NOT NULL DEFAULT '',
    applied_seq bigint      NOT NULL DEFAULT 0,
    head_seq    bigint      NOT NULL DEFAULT 0,
    personal    boolean     NOT NULL DEFAULT false,
    probes      jsonb       NOT NULL DEFAULT '[]',
    resyncs     integer     NOT NULL DEFAULT 0,
    registered  timestamptz NOT NULL DEFAULT now(),
    pruned_seen bigint      NOT NULL DEFAULT 0,
    applied_at  timestamptz
);

CREATE TABLE yuetan.orgs (
    district text NOT NULL REFERENCES yuetan.districts (code),
    id       text NOT NULL,
    seq      bigint NOT NULL,
    name     text NOT NULL DEFAULT '',
    kind     text NOT NULL DEFAULT '',
    parent   text NOT NULL DEFAULT '',
    code     text NOT NULL DEFAULT '',
    created  timestamptz,
    updated  timestamptz,
    PRIMARY KEY (district, id)
);
CREATE INDEX orgs_kind ON yuetan.orgs (district, kind);

-- users: public fields only; phone only when the district allows personal data
CREATE TABLE yuetan.users (
    district    text NOT NULL REFERENCES yuetan.districts (code),
    id          text NOT NULL,
    seq         bigint NOT NULL,
    name        text NOT NULL DEFAULT '',
    role        text NOT NULL DEFAULT '',
    org         text NOT NULL DEFAULT '',
    title       text NOT NULL DEFAULT '',
    leader_rank text NOT NULL DEFAULT '',
    phone       text,
    created     timestamptz,
    updated     timestamptz,
    PRIMARY KEY (district, id)
);

CREATE TABLE yuetan.calendar_days (
    district text NOT NULL REFERENCES yuetan.districts (code),
    id       text NOT NULL,
    seq      bigint NOT NULL,
    date     text NOT NULL DEFAULT '',
    workday  boolean NOT NULL DEFAULT false,
    name     text NOT NULL DEFAULT '',
    source   text NOT NULL DEFAULT '',
    created  timestamptz,
    updated  timestamptz,
    PRIMARY KEY (district, id)
);

CREATE TABLE yuetan.meetings (
    district  text NOT NULL REFERENCES yuetan.districts (code),
    id        text NOT NULL,
    seq       bigint NOT NULL,
    community text NOT NULL DEFAULT '',
    kind      text NOT NULL DEFAULT '',
    held_on   timestamptz,
    attendees bigint NOT NULL DEFAULT 0,
    title     text NOT NULL DEFAULT '',
    notes     text NOT NULL DEFAULT '',
    created   timestamptz,
    updated   timestamptz,
    PRIMARY KEY (district, id)
);
CREATE INDEX meetings_held_on ON yuetan.meetings (district, held_on);

-- issues: resident_name/resident_phone only when the district allows personal data
CREATE TABLE yuetan.issues (
    district       text NOT NULL REFERENCES yuetan.districts (code),
    id             text NOT NULL,
    seq            bigint NOT NULL,
    community      text NOT NULL DEFAULT '',
    grid           text NOT NULL DEFAULT '',
    kind           text NOT NULL DEFAULT '',
    title          text NOT NULL DEFAULT '',
    description    text NOT NULL DEFAULT '',
    address        text NOT NULL DEFAULT '',
    location_lon   double precision NOT NULL DEFAULT 0,
    location_lat   double precision NOT NULL DEFAULT 0,
    resident_name  text,
    resident_phone text,
    source         text NOT NULL DEFAULT '',
    meeting        text NOT NULL DEFAULT '',
    collected_by   text NOT NULL DEFAULT '',
    collected_at   timestamptz,
    status         text NOT NULL DEFAULT '',
    application    text NOT NULL DEFAULT '',
    created        timestamptz,
    updated        timestamptz,
    PRIMARY KEY (district, id)
);
CREATE INDEX issues_collected ON yuetan.issues (district, kind, collected_at);
CREATE INDEX issues_application ON yuetan.issues (district, application);

-- applications: contact_name/contact_phone only when the district allows personal data
CREATE TABLE yuetan.applications (
    district               text NOT NULL REFERENCES yuetan.districts (code),
    id                     text NOT NULL,
    seq                    bigint NOT NULL,
    serial                 text NOT NULL DEFAULT '',
    serial_year            bigint NOT NULL DEFAULT 0,
    serial_no              bigint NOT NULL DEFAULT 0,
    community              text NOT NULL DEFAULT '',
    applicant_kind         text NOT NULL DEFAULT '',
    contact_name           text,
    contact_phone          text,
    subject                text NOT NULL DEFAULT '',
    category               text NOT NULL DEFAULT '',
    description            text NOT NULL DEFAULT '',
    request                text NOT NULL DEFAULT '',
    affected_count         bigint NOT NULL DEFAULT 0,
    target_leader          text NOT NULL DEFAULT '',
    talk_form              text NOT NULL DEFAULT '',
    urgent                 boolean NOT NULL DEFAULT false,
    litigation_or_petition boolean NOT NULL DEFAULT false,
    issues                 text[] NOT NULL DEFAULT '{}',
    status                 text NOT NULL DEFAULT '',
    street                 text NOT NULL DEFAULT '',
    assigned_leader        text NOT NULL DEFAULT '',
    handling_unit          text NOT NULL DEFAULT '',
    decision_note          text NOT NULL DEFAULT '',
    review_due             timestamptz,
    notice_due             timestamptz,
    schedule_due           timestamptz,
    handling_due           timestamptz,
    postpone_reason        text NOT NULL DEFAULT '',
    submitted_at           timestamptz,
    forwarded_at           timestamptz,
    reviewed_at            timestamptz,
    accepted_at            timestamptz,
    notified_at            timestamptz,
    scheduled_at           timestamptz,
    resolved_at            timestamptz,
    feedback_at            timestamptz,
    closed_at              timestamptz,
    created                timestamptz,
    updated                timestamptz,
    PRIMARY KEY (district, id)
);
CREATE INDEX applications_created ON yuetan.applications (district, created);
CREATE INDEX applications_status ON yuetan.applications (district, status);
CREATE INDEX applications_street ON yuetan.applications (district, street);
CREATE INDEX applications_leader ON yuetan.applications (district, assigned_leader);

-- signatures: the co-signing residents' name, address and phone only when the
-- district allows personal data
CREATE TABLE yuetan.signatures (
    district     text NOT NULL REFERENCES yuetan.districts (code),
    id           text NOT NULL,
    seq          bigint NOT NULL,
    application  text NOT NULL DEFAULT '',
    name         text,
    address      text,
    phone        text,
    signed_at    timestamptz,
    collected_by text NOT NULL DEFAULT '',
    created      timestamptz,
    updated      timestamptz,
    PRIMARY KEY (district, id)
);
CREATE INDEX signatures_application ON yuetan.signatures (district, application);

CREATE TABLE yuetan.talks (
    district      text NOT NULL REFERENCES yuetan.districts (code),
    id            text NOT NULL,
    seq           bigint NOT NULL,
    application   text NOT NULL DEFAULT '',
    leader        text NOT NULL DEFAULT '',
    scheduled_at  timestamptz,
    place         text NOT NULL DEFAULT '',
    form          text NOT NULL DEFAULT '',
    participants  text NOT NULL DEFAULT '',
    record        text NOT NULL DEFAULT '',
    response      text NOT NULL DEFAULT '',
    outcome       text NOT NULL DEFAULT '',
    held_at       timestamptz,
    handling_unit text NOT NULL DEFAULT '',
    responsible   text NOT NULL DEFAULT '',
    handling_due  timestamptz,
    recorder      text NOT NULL DEFAULT '',
    created       timestamptz,
    updated       timestamptz,
    PRIMARY KEY (district, id)
);
CREATE INDEX talks_application ON yuetan.talks (district, application);

CREATE TABLE yuetan.feedback (
    district          text NOT NULL REFERENCES yuetan.districts (code),
    id                text NOT NULL,
    seq               bigint NOT NULL,
    application       text NOT NULL DEFAULT '',
    talk              text NOT NULL DEFAULT '',
    unit              text NOT NULL DEFAULT '',
    result            text NOT NULL DEFAULT '',
    measures          text NOT NULL DEFAULT '',
    completed_on      timestamptz,
    submitted_by      text NOT NULL DEFAULT '',
    leader_decision   text NOT NULL DEFAULT '',
    leader_comment    text NOT NULL DEFAULT '',
    decided_at        timestamptz,
    replied_on        timestamptz,
    satisfaction      text NOT NULL DEFAULT '',
    applicant_comment text NOT NULL DEFAULT '',
    created           timestamptz,
    updated           timestamptz,
    PRIMARY KEY (district, id)
);
CREATE INDEX feedback_application ON yuetan.feedback (district, application);

CREATE TABLE yuetan.supervisions (
    district    text NOT NULL REFERENCES yuetan.districts (code),
    id          text NOT NULL,
    seq         bigint NOT NULL,
    application text NOT NULL DEFAULT '',
    kind        text NOT NULL DEFAULT '',
    note        text NOT NULL DEFAULT '',
    created_by  text NOT NULL DEFAULT '',
    deadline    text NOT NULL DEFAULT '',
    due_on      text NOT NULL DEFAULT '',
    created     timestamptz,
    updated     timestamptz,
    PRIMARY KEY (district, id)
);
CREATE INDEX supervisions_application ON yuetan.supervisions (district, application);

CREATE TABLE yuetan.events (
    district          text NOT NULL REFERENCES yuetan.districts (code),
    id                text NOT NULL,
    seq               bigint NOT NULL,
    application       text NOT NULL DEFAULT '',
    record_collection text NOT NULL DEFAULT '',
    record_id         text NOT NULL DEFAULT '',
    actor             text NOT NULL DEFAULT '',
    actor_name        text NOT NULL DEFAULT '',
    action            text NOT NULL DEFAULT '',
    from_status       text NOT NULL DEFAULT '',
    to_status         text NOT NULL DEFAULT '',
    note              text NOT NULL DEFAULT '',
    created           timestamptz,
    updated           timestamptz,
    PRIMARY KEY (district, id)
);
CREATE INDEX events_application ON yuetan.events (district, application, created);
