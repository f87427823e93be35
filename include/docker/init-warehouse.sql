-- The warehouse database and its owner role (first start of the compose Postgres only).
create role pm login password 'pm' createrole;
create database prediction_markets owner pm;
