import type { Knex, Migration } from '@icg/shared';

/**
 * The insights read model (docs/insights.md, "Tables"). The insights subgraph never reads another subgraph's
 * database: the fact tables (`insight_*`) are kept from the other systems' events, rebuilt in full by
 * `npm run insights:refresh` through the graph, and written by the seeder from the same facts the other seeders
 * use. The computed tables (`customer_insights`, `early_warnings`) are derived from them by the rules
 * (insight-rules.yaml, src/rules/), per customer, in the transaction that changed the customer's facts.
 *
 * Money is DECIMAL(15,2) yuan (DECIMAL(17,2) for org-unit totals); ids are BIGINTs (the other systems' ids where a
 * row mirrors theirs); timestamps are UTC DATETIMEs; business numbers are the owners' own (20 characters).
 * JSON columns are TEXT holding canonical JSON, so SQLite and MariaDB store them alike.
 */
export const initial: Migration = {
  name: '001_initial',
  async up(db: Knex) {
    // One row per customer: who they are to the rules and whose records their insight is (row scope).
    await db.schema.createTable('insight_customers', (table) => {
      table.bigInteger('customer_id').primary();
      table.string('customer_no', 20).nullable();
      table.string('kind', 16).nullable();
      table.date('customer_since').nullable();
      table.bigInteger('branch_id').nullable();
      // Null until the customer's own facts arrive (an event about a customer not known yet): such a row is in
      // nobody's scope, so its insight is readable only where the policy allows out-of-scope reads.
      table.string('branch_path', 64).nullable().index();
      table.bigInteger('primary_manager_staff_id').nullable().index();
      // The head of the corporate group a large customer's premium is consolidated over; null: the customer itself.
      table.bigInteger('group_head_customer_id').nullable().index();
      table.boolean('blacklisted').notNullable().defaultTo(false);
      table.dateTime('updated_at').notNullable();
    });

    // The customer's policies as policyholder. Status is the owner's vocabulary as last told (BOUND from the
    // bind event: the policies system moves it to IN_FORCE and EXPIRED on its clock without an event; the rules
    // go by the dates).
    await db.schema.createTable('insight_policies', (table) => {
      table.string('policy_no', 20).primary();
      table.bigInteger('customer_id').notNullable().index();
      table.string('line_of_business', 16).notNullable();
      table.string('status', 12).notNullable();
      table.date('effective_date').notNullable();
      table.date('expiry_date').notNullable();
      // When it was bound (premium written): the 12-month written premium counts by it; null: by effective_date.
      table.dateTime('bound_at').nullable();
      table.string('product_code', 20).nullable();
      table.decimal('written_premium', 15, 2).notNullable();
      table.date('cancelled_on').nullable();
      table.boolean('cancelled_for_non_payment').notNullable().defaultTo(false);
      table.date('lapsed_on').nullable();
      // The policy this one renews (policy.renewed), for consecutive renewals.
      table.string('renewal_of_policy_no', 20).nullable().index();
      // Days the premium is overdue, when known (refresh and seed read it; no event carries it).
      table.integer('arrears_days').nullable();
      // The issuing branch (the events' branchId): metrics by branch roll up from here.
      table.bigInteger('branch_id').nullable().index();
      table.dateTime('updated_at').notNullable();
      table.index(['effective_date']);
    });

    // The customer's claims. Incurred = paid + outstanding_reserve − recoveries (DOMAIN.md section 6).
    await db.schema.createTable('insight_claims', (table) => {
      table.string('report_no', 20).primary();
      table.bigInteger('customer_id').notNullable().index();
      table.string('policy_no', 20).notNullable().index();
      // A key of the insured object (the policies system's InsuredObject id), when known: two claims on one object.
      table.string('insured_object_key', 40).nullable();
      table.date('loss_date').nullable();
      table.dateTime('reported_at').notNullable();
      table.dateTime('registered_at').nullable();
      table.dateTime('closed_at').nullable();
      // The claims system's status as last told (REPORTED from the report, REGISTERED, PAID, CLOSED, a side exit).
      table.string('status', 20).notNullable();
      // PAID, DENIED, WITHDRAWN, CANCELLED, ZERO_CLOSED (claim.closed's outcome); null while open.
      table.string('outcome', 12).nullable();
      table.decimal('paid', 15, 2).notNullable().defaultTo(0);
      table.decimal('outstanding_reserve', 15, 2).notNullable().defaultTo(0);
      table.decimal('recoveries', 15, 2).notNullable().defaultTo(0);
      // Null: not known (no system says so yet); true only where an investigation confirmed it.
      table.boolean('fraud_confirmed').nullable();
      table.bigInteger('branch_id').nullable().index();
      table.dateTime('updated_at').notNullable();
      table.index(['reported_at']);
    });

    // The customer's complaints (those the register tied to a customer).
    await db.schema.createTable('insight_complaints', (table) => {
      table.string('complaint_no', 20).primary();
      table.bigInteger('customer_id').notNullable().index();
      table.string('category', 24).nullable();
      table.string('source', 24).nullable();
      table.string('status', 16).notNullable();
      table.dateTime('accepted_at').notNullable();
      table.dateTime('registered_at').nullable();
      table.date('due_date').notNullable();
      // When the decision was notified (meets the deadline), when known; archived (closed) after.
      table.dateTime('feedback_at').nullable();
      table.dateTime('closed_at').nullable();
      // Decided and notified by the due date; null while open.
      table.boolean('on_time').nullable();
      table.bigInteger('branch_id').nullable().index();
      table.dateTime('updated_at').notNullable();
      table.index(['accepted_at']);
    });

    // 12-month written premium per org unit (its whole subtree), the denominator of the large-customer share:
    // rebuilt by refresh and seed, moved by the policy events in between.
    await db.schema.createTable('insight_unit_premium', (table) => {
      table.string('branch_path', 64).primary();
      table.decimal('written_premium_12m', 17, 2).notNullable();
      table.dateTime('as_of').notNullable();
    });

    // The computed insight, one row per customer: what the rules made of the facts above, with the rule version,
    // the figures behind it (JSON) and when (as_of). Scope columns copied from insight_customers.
    await db.schema.createTable('customer_insights', (table) => {
      table.bigInteger('customer_id').primary();
      table.string('classification', 12).notNullable().index();
      table.boolean('large').notNullable();
      table.boolean('blacklisted').notNullable();
      table.string('value_segment', 16).nullable();
      table.string('contribution_segment', 16).nullable();
      table.string('loyalty_segment', 16).nullable();
      table.text('figures').notNullable();
      table.text('reasons').notNullable();
      table.string('rule_version', 40).notNullable();
      table.dateTime('as_of').notNullable();
      table.bigInteger('branch_id').nullable();
      table.string('branch_path', 64).nullable().index();
      table.bigInteger('customer_manager_staff_id').nullable().index();
    });

    // Early warnings (DOMAIN.md section 5). A finding of the rules (kind + subject) raises one warning while it
    // holds: `cleared_at` null. When it stops holding the warning is cleared (and resolved, if nobody had), and
    // a later finding raises a new one. A dismissed or resolved warning whose finding still holds is not raised
    // again. Status OPEN → ACKNOWLEDGED → RESOLVED, or DISMISSED (with a reason), by mutation.
    await db.schema.createTable('early_warnings', (table) => {
      table.bigInteger('id').primary();
      table.string('early_warning_no', 20).notNullable().unique();
      table.bigInteger('customer_id').notNullable().index();
      table.string('kind', 32).notNullable();
      table.string('level', 8).notNullable();
      // The record the finding is about (a policy or complaint number, an insured object's key); null: the customer.
      table.string('subject_key', 40).nullable();
      // kind + ':' + subject: what makes two findings the same.
      table.string('finding_key', 80).notNullable();
      table.string('status', 12).notNullable();
      table.string('rule_version', 40).notNullable();
      table.text('figures').notNullable();
      table.dateTime('raised_at').notNullable();
      table.dateTime('updated_at').notNullable();
      table.dateTime('cleared_at').nullable();
      table.dateTime('acknowledged_at').nullable();
      table.bigInteger('acknowledged_by_staff_id').nullable();
      table.dateTime('resolved_at').nullable();
      table.bigInteger('resolved_by_staff_id').nullable();
      table.dateTime('dismissed_at').nullable();
      table.bigInteger('dismissed_by_staff_id').nullable();
      table.string('dismiss_reason', 500).nullable();
      table.integer('version').notNullable().defaultTo(1);
      // Row scope: the customer's branch and primary manager (docs/adding-a-subgraph.md, "Data").
      table.bigInteger('branch_id').nullable();
      table.string('branch_path', 64).nullable().index();
      table.bigInteger('customer_manager_staff_id').nullable().index();
      table.index(['customer_id', 'finding_key']);
      table.index(['status', 'id']);
      table.index(['raised_at']);
    });

    // Figures over the whole population the per-customer rules need, computed by refresh and seed: the value
    // segmentation's cut-offs (top 20 % …), JSON. Events reuse the last ones.
    await db.schema.createTable('insight_population', (table) => {
      table.string('name', 40).primary();
      table.text('value').notNullable();
      table.dateTime('as_of').notNullable();
    });

    // insights:refresh's checkpoint: one row per run, the cursor of the last customer page it finished.
    await db.schema.createTable('insight_refresh_runs', (table) => {
      table.string('run_id', 40).primary();
      table.dateTime('started_at').notNullable();
      table.dateTime('as_of').notNullable();
      table.string('status', 12).notNullable();
      table.string('cursor', 400).nullable();
      table.integer('processed').notNullable().defaultTo(0);
      table.integer('total').nullable();
      table.dateTime('updated_at').notNullable();
      table.dateTime('finished_at').nullable();
    });
  },
  async down(db: Knex) {
    for (const table of [
      'insight_refresh_runs',
      'insight_population',
      'early_warnings',
      'customer_insights',
      'insight_unit_premium',
      'insight_complaints',
      'insight_claims',
      'insight_policies',
      'insight_customers',
    ])
      await db.schema.dropTableIfExists(table);
  },
};
