# Builds the Vigil jar and runs `vigil run`. Used by docker-compose.yml.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
COPY streams-app/pom.xml streams-app/
# The parent lists the benchmark module too; only its pom is needed to build the engine.
COPY bench/pom.xml bench/
RUN mvn -B -q -pl streams-app -am dependency:go-offline || true
COPY streams-app streams-app
RUN mvn -B -q -pl streams-app -DskipTests package

FROM eclipse-temurin:17-jre
WORKDIR /opt/vigil
COPY --from=build /src/streams-app/target/vigil.jar /opt/vigil/vigil.jar
COPY rules /etc/vigil/rules
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/opt/vigil/vigil.jar"]
CMD ["run", "--data-dir", "/var/lib/vigil"]
