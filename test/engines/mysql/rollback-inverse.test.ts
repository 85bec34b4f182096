// The forced form of a guarded MySQL rollback statement: keyed by the row's key only, whatever its literals hold.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { forcedRollbackScript, forcedStatement } from "../../../src/engines/mysql/rollback-inverse.ts";

describe("forced MySQL rollback statements", () => {
  it("cuts the guard after the key, even when literals and names hold the words it looks for", () => {
    assert.equal(
      forcedStatement("UPDATE `d`.`t` SET `v` = 'a AND `x` <=> 1' WHERE `id` = 'k'' AND `y` <=> \\' AND `a b` <=> 2' AND `k2` = 3 AND `v` <=> ' <=> ' COLLATE utf8mb4_bin"),
      "UPDATE `d`.`t` SET `v` = 'a AND `x` <=> 1' WHERE `id` = 'k'' AND `y` <=> \\' AND `a b` <=> 2' AND `k2` = 3",
    );
    assert.equal(forcedStatement("DELETE FROM `d`.`we``ird AND ` WHERE `i``d` = 1 AND `v` <=> NULL"), "DELETE FROM `d`.`we``ird AND ` WHERE `i``d` = 1");
  });

  it("replaces a deleted row's INSERT, and leaves keyless statements and guard-free ones as they are", () => {
    assert.equal(forcedStatement("INSERT INTO `d`.`t` (`id`) VALUES (1)"), "REPLACE INTO `d`.`t` (`id`) VALUES (1)");
    assert.equal(forcedStatement("DELETE FROM `d`.`t` WHERE `a` <=> 1 AND `b` <=> NULL LIMIT 1"), "DELETE FROM `d`.`t` WHERE `a` <=> 1 AND `b` <=> NULL LIMIT 1");
    assert.equal(forcedStatement("UPDATE `d`.`t` SET `id` = 2 WHERE `id` = 1"), "UPDATE `d`.`t` SET `id` = 2 WHERE `id` = 1");
  });

  it("derives the whole forced script from the stored guarded one", () => {
    const guarded = "-- Rollback of TST-1 (each statement checks its row still holds what the change left): 2 statement(s) undoing 2 row(s), latest first.\n"
      + "DELETE FROM `d`.`t` WHERE `id` = 2 AND `v` <=> 'x;\\ny' COLLATE utf8mb4_bin;\nINSERT INTO `d`.`t` (`id`, `v`) VALUES (1, 'a');\n";
    assert.equal(
      forcedRollbackScript(guarded),
      "-- Rollback of TST-1 (forced: keyed by the row's key only, overriding later changes): 2 statement(s) undoing 2 row(s), latest first.\n"
        + "DELETE FROM `d`.`t` WHERE `id` = 2;\nREPLACE INTO `d`.`t` (`id`, `v`) VALUES (1, 'a');\n",
    );
  });
});
