-- issue 12: the clocks of every stage, 签收, 不满意, 退回, 延期 and the supervision records' targets
ALTER TABLE yuetan.applications
    ADD COLUMN street_due timestamptz,
    ADD COLUMN leader_ack_due timestamptz,
    ADD COLUMN talk_due timestamptz,
    ADD COLUMN handler_ack_due timestamptz,
    ADD COLUMN approval_due timestamptz,
    ADD COLUMN reply_due timestamptz,
    ADD COLUMN close_due timestamptz,
    ADD COLUMN stage_at timestamptz,
    ADD COLUMN leader_ack_at timestamptz,
    ADD COLUMN handler_ack_at timestamptz,
    ADD COLUMN returned_at timestamptz,
    ADD COLUMN extension_due timestamptz,
    ADD COLUMN dissatisfied boolean NOT NULL DEFAULT false,
    ADD COLUMN return_reason text NOT NULL DEFAULT '',
    ADD COLUMN extension_reason text NOT NULL DEFAULT '',
    ADD COLUMN extension_state text NOT NULL DEFAULT '';
ALTER TABLE yuetan.supervisions
    ADD COLUMN target_user text NOT NULL DEFAULT '',
    ADD COLUMN target_org text NOT NULL DEFAULT '',
    ADD COLUMN target_role text NOT NULL DEFAULT '',
    ADD COLUMN status text NOT NULL DEFAULT '',
    ADD COLUMN satisfaction text NOT NULL DEFAULT '',
    ADD COLUMN repeat boolean NOT NULL DEFAULT false;
CREATE INDEX supervisions_target ON yuetan.supervisions (district, target_org, target_user);
