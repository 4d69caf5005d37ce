package dev.gserver;

import java.util.concurrent.Executor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class SpawnTest {

	@Test
	void parsesNamedSpawns() {
		assertThat(Spawn.parse("default")).isSameAs(Spawn.DEFAULT);
		assertThat(Spawn.parse(" RAW ")).isSameAs(Spawn.RAW);
		assertThat(Spawn.parse("none")).isSameAs(Spawn.NONE);
	}

	@Test
	void parsesPoolSize() {
		Spawn spawn = Spawn.parse("25");
		assertThat(spawn.getPool().size()).isEqualTo(25);
		assertThat(spawn).hasToString("pool(25)");
	}

	@ParameterizedTest
	@ValueSource(strings = { "0", "-3", "many", "", "1.5", "pool" })
	void rejectsInvalidSpawnQuotingIt(String value) {
		assertThatIllegalArgumentException().isThrownBy(() -> Spawn.parse(value))
			.withMessageStartingWith("Invalid spawn '" + value + "'");
	}

	@Test
	void describesItself() {
		Executor executor = Runnable::run;
		assertThat(Spawn.DEFAULT).hasToString("default");
		assertThat(Spawn.RAW).hasToString("raw");
		assertThat(Spawn.NONE).hasToString("none");
		assertThat(Spawn.of(executor).toString()).isEqualTo("executor(" + executor + ")");
		assertThat(Spawn.DEFAULT.getPool()).isNull();
		assertThat(Spawn.of(executor).getPool()).isNull();
	}

	@Test
	void sharesAGivenPool() {
		Pool pool = new Pool(3);
		assertThat(Spawn.of(pool).getPool()).isSameAs(pool);
		assertThat(new StreamServer("127.0.0.1:0", Handlers::pong, Spawn.of(pool)).getPool()).isSameAs(pool);
	}

}
