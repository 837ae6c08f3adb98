# Builds the Vigil jar and runs `vigil run`. Used by docker-compose.yml.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
COPY streams-app/pom.xml streams-app/
# The parent lists the benchmark module too; only its pom is needed to build the engine.
COPY bench/pom.xml bench/
RUN mvn -B -q -pl streams-app -am dependency:go-offline || true
COPY streams-app streams-app
# Tests are not compiled either: the image needs the jar only (as the launcher builds it).
RUN mvn -B -q -pl streams-app -Dmaven.test.skip=true package

FROM eclipse-temurin:17-jre
WORKDIR /opt/vigil
COPY --from=build /src/streams-app/target/vigil.jar /opt/vigil/vigil.jar
# The example rules where the default rules.path (rules/, relative to the working directory) finds them; a
# mounted vigil.yaml with its own rules.path (as docker-compose.yml's) takes precedence.
COPY rules /opt/vigil/rules
# HTTP reachable from outside the container (Vigil binds 127.0.0.1 by default). The environment wins over
# vigil.yaml: to bind elsewhere, set VIGIL_HTTP_BIND rather than http.bind.
ENV VIGIL_HTTP_BIND=0.0.0.0
# The parallel collector, as the launcher runs Vigil: a catch-up about 1.18x faster than on G1, the same alert latency
# (docs/performance.md). In JAVA_TOOL_OPTIONS rather than the entrypoint, so that setting the variable replaces it.
ENV JAVA_TOOL_OPTIONS="-XX:+UseParallelGC"
EXPOSE 8080
# Exec form: java is PID 1 and gets docker stop's SIGTERM itself, stops cleanly and exits 0.
ENTRYPOINT ["java", "-jar", "/opt/vigil/vigil.jar"]
CMD ["run", "--data-dir", "/var/lib/vigil"]
