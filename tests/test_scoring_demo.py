"""The demo's scoring step scores synthetic responses of known structure and recovers the truth."""
import re

from vocapp import create_app


def test_demo_scores_synthetic_responses_and_recovers_the_known_truth(tmp_path):
    runner = create_app({"TESTING": True}, instance_path=str(tmp_path / "instance")).test_cli_runner()
    result = runner.invoke(args=["demo", "--no-serve", "--accounts", "200", "--database", str(tmp_path / "d.db")])
    assert result.exit_code == 0, result.output
    line = next(l for l in result.output.splitlines() if l.startswith("scoring:"))
    assert "3 factors suggested / 3 declared" in line
    recovery = dict(re.findall(r"(trust|appetite|innovation) (0\.\d+)", line.split("true latent r =")[1]))
    assert set(recovery) == {"trust", "appetite", "innovation"}
    assert all(float(r) > 0.7 for r in recovery.values()), line
